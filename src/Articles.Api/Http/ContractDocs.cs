using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Articles.Api.Feeds;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Articles.Api.Http;

// Our response records write every property, null or not: each is required, so a generated client's types are exact.
// Except: a member written only when it has a value, and those of a record a request may thin out with fields=.
internal sealed class AlwaysWrittenFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (context.Type.Namespace?.StartsWith("Articles.", StringComparison.Ordinal) != true || schema is not OpenApiSchema { Properties.Count: > 0 } own)
        {
            return;
        }
        var optional = SparseFields.Optional(context.Type);
        own.Required = context.Type.GetCustomAttribute<SparseAttribute>() is null
            ? new SortedSet<string>(own.Properties.Keys.Except(optional), StringComparer.Ordinal)
            : new SortedSet<string>(["id"], StringComparer.Ordinal);
        // Absent rather than null.
        foreach (var name in optional)
        {
            if (own.Properties.TryGetValue(name, out var property) && property is OpenApiSchema { Type: { } type } member)
            {
                member.Type = type & ~JsonSchemaType.Null;
            }
        }
    }
}

// What every operation may answer besides its own results, who may call it, and the feeds' bodies.
internal sealed class ResponsesFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var path = "/" + context.ApiDescription.RelativePath;
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        var problem = context.SchemaGenerator.GenerateSchema(typeof(ProblemDetails), context.SchemaRepository);
        operation.Responses ??= [];
        if (path.StartsWith("/v1/", StringComparison.Ordinal))
        {
            Add(operation, "429", "Too many requests from this client or partner key (code rate-limited); see Retry-After.", problem);
        }
        if (path != "/health/live")
        {
            Add(operation, "503", "The database is not answering (code database-unavailable, with Retry-After) or not ready.", problem);
        }

        // Partner endpoints take a key (header or query) and work without one unless the service requires keys.
        operation.Security = metadata.OfType<PartnerKeyMetadata>().Any()
            ?
            [
                new OpenApiSecurityRequirement(),
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ContractDocs.HeaderKey, context.Document)] = [] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ContractDocs.QueryKey, context.Document)] = [] },
            ]
            : [];

        foreach (var (type, media) in operation.Responses.Values.OfType<OpenApiResponse>().SelectMany(r => r.Content ?? new Dictionary<string, IOpenApiMediaType>()))
        {
            if (media is OpenApiMediaType own && ContractDocs.FeedSchemas.TryGetValue(type, out var schema))
            {
                own.Schema = new OpenApiSchemaReference(schema, context.Document);
            }
        }
    }

    private static void Add(OpenApiOperation operation, string status, string description, IOpenApiSchema problem) =>
        operation.Responses!.TryAdd(status, new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, IOpenApiMediaType> { ["application/problem+json"] = new OpenApiMediaType { Schema = problem } },
        });
}

// Tag descriptions, the problem body's stable code, and the schemas of the three feed formats.
internal sealed class ContractDocs : IDocumentFilter
{
    public const string HeaderKey = "PartnerKeyHeader";
    public const string QueryKey = "PartnerKeyQuery";

    public static readonly Dictionary<string, string> FeedSchemas = new()
    {
        [FeedWriters.JsonFeedType] = "JsonFeed",
        [FeedWriters.AtomType] = "AtomFeed",
        [FeedWriters.RssType] = "RssFeed",
    };

    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        document.Tags = new HashSet<OpenApiTag>
        {
            new() { Name = "Articles", Description = "Article summaries (paged, filtered, searched) and whole articles." },
            new() { Name = "Topics", Description = "Topics with their article counts and links to their articles and feeds." },
            new() { Name = "Providers", Description = "The sites articles come from, with logos and article counts." },
            new() { Name = "Feeds", Description = "For partners: JSON Feed, Atom and RSS per topic and provider, and the change feed. Take a partner key." },
            new() { Name = "Health", Description = "Liveness and readiness for orchestrators and load balancers." },
        };

        var schemas = document.Components!.Schemas!;
        foreach (var schema in schemas.Values.OfType<OpenApiSchema>())
        {
            UnwrapReferences(schema);
        }
        foreach (var problem in new[] { "ProblemDetails", "HttpValidationProblemDetails" }.Select(n => schemas.TryGetValue(n, out var s) ? s : null).OfType<OpenApiSchema>())
        {
            problem.Properties!["type"] = Text("A URN naming the problem: urn:articles-api:problem:{code}.");
            problem.Properties["title"] = Text("A short summary of the problem.");
            problem.Properties["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "The HTTP status." };
            problem.Properties["detail"] = Text("What went wrong and what to do about it.");
            problem.Properties["code"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String, Description = "A stable code to branch on.",
                Enum = Problems.Codes.Select(c => (JsonNode)JsonValue.Create(c)).ToList(),
            };
            problem.Required = new SortedSet<string>(["type", "title", "status", "detail", "code"], StringComparer.Ordinal);
        }

        schemas["JsonFeed"] = JsonFeedSchema(document);
        schemas["JsonFeedItem"] = JsonFeedItemSchema();
        schemas["AtomFeed"] = XmlDocument(FeedWriters.AtomType, "feed", "http://www.w3.org/2005/Atom",
            "An Atom 1.0 feed document (RFC 4287), entries with Media RSS thumbnails and a rel=next link to older entries.");
        schemas["RssFeed"] = XmlDocument(FeedWriters.RssType, "rss", null,
            "An RSS 2.0 document, items with Media RSS thumbnails and an atom:link rel=next to older items.");
    }

    // Swashbuckle extends a property's $ref with a one-schema allOf (and type null when nullable, which would
    // then admit only null): a plain $ref, or oneOf the $ref and null, say what is meant.
    private static void UnwrapReferences(OpenApiSchema schema)
    {
        foreach (var (name, property) in schema.Properties ?? new Dictionary<string, IOpenApiSchema>())
        {
            if (property is OpenApiSchema { AllOf: [OpenApiSchemaReference reference] } wrapper)
            {
                schema.Properties![name] = wrapper.Type is JsonSchemaType.Null
                    ? new OpenApiSchema { OneOf = [reference, new OpenApiSchema { Type = JsonSchemaType.Null }] }
                    : reference;
            }
        }
    }

    // An XML body is text to JSON Schema: its media type and root element say what it holds.
    private static OpenApiSchema XmlDocument(string mediaType, string root, string? ns, string description) => new()
    {
        Type = JsonSchemaType.String, ContentMediaType = mediaType, Description = description,
        Xml = new OpenApiXml { Name = root, Namespace = ns is null ? null : new Uri(ns) },
    };

    private static OpenApiSchema Text(string description, string? format = null) =>
        new() { Type = JsonSchemaType.String, Format = format, Description = description };

    private static OpenApiSchema Strict(Dictionary<string, IOpenApiSchema> properties, params string[] required) => new()
    {
        Type = JsonSchemaType.Object, Properties = properties, AdditionalPropertiesAllowed = false,
        Required = new SortedSet<string>(required, StringComparer.Ordinal),
    };

    // JSON Feed 1.1 (https://jsonfeed.org/version/1.1) as FeedWriters.JsonFeed writes it.
    private static OpenApiSchema JsonFeedSchema(OpenApiDocument document) => Strict(new()
    {
        ["version"] = Text("https://jsonfeed.org/version/1.1", "uri"),
        ["title"] = Text("The feed's title."),
        ["home_page_url"] = Text("The same articles in the JSON API.", "uri"),
        ["feed_url"] = Text("This page of the feed.", "uri"),
        ["description"] = Text("What the feed holds."),
        ["next_url"] = Text("The next (older) page; absent on the last.", "uri"),
        ["items"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference("JsonFeedItem", document) },
    }, "version", "title", "home_page_url", "feed_url", "description", "items");

    private static OpenApiSchema JsonFeedItemSchema() => Strict(new()
    {
        ["id"] = Text("urn:uuid: and the article id."),
        ["url"] = Text("The article's webUrl (a video's originalUrl); absent when it has neither."),
        ["title"] = Text("The title."),
        ["content_text"] = Text("The excerpt, else the title."),
        ["summary"] = Text("The excerpt; absent when there is none."),
        ["image"] = Text("The first image's URL; absent when there is none."),
        ["date_published"] = Text("When it was published (UTC).", "date-time"),
        ["authors"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Array,
            Items = Strict(new() { ["name"] = Text("The provider's name."), ["url"] = Text("https:// and the provider's domain.") }, "name", "url"),
        },
        ["tags"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = Text("A topic's name.") },
        ["_articles"] = Strict(new() { ["amp_url"] = Text("The AMP page's URL.") }, "amp_url"),
    }, "id", "title", "content_text", "date_published", "authors", "tags");
}
