using Articles.Api.Http;
using Microsoft.OpenApi;

namespace Articles.Api;

internal static class OpenApiExtensions
{
    // Where Swagger UI and the v1 document are served; the root links to both.
    public const string UiPath = "/swagger";
    public const string DocumentPath = "/swagger/v1/swagger.json";

    public static void AddArticlesOpenApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddEndpointsApiExplorer();
        builder.Services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "Articles API",
                Version = "v1",
                Description = "News articles as paged, filterable, searchable JSON. Errors are application/problem+json " +
                    "(RFC 9457) with a stable `code`.",
            });
            // Relative: the API is wherever this document was fetched from.
            options.AddServer(new OpenApiServer { Url = "/", Description = "This service" });
            options.AddSecurityDefinition(ContractDocs.HeaderKey, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-Api-Key",
                Description = "Partner key. Optional unless the service requires keys (Feeds:RequireApiKey); a key sent is always checked.",
            });
            options.AddSecurityDefinition(ContractDocs.QueryKey, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Query, Name = "key",
                Description = "The partner key as a query parameter, for feed readers that cannot send headers.",
            });
            // Nullable exactly where the C# types say so; ContractDocs turns a nullable object into oneOf its schema and null.
            options.SupportNonNullableReferenceTypes();
            options.UseAllOfToExtendReferenceSchemas();
            options.SchemaFilter<AlwaysWrittenFilter>();
            options.OperationFilter<ParameterDocsFilter>();
            options.OperationFilter<ResponsesFilter>();
            options.DocumentFilter<ContractDocs>();
            // HEAD is implied wherever GET is (RFC 9110), so only the GETs are listed.
            options.DocInclusionPredicate((name, api) => api.HttpMethod != "HEAD" && (api.GroupName is null || api.GroupName == name));
            // A stable order, so the committed openapi.json changes only when the API does.
            options.OrderActionsBy(api => $"{api.RelativePath}|{api.HttpMethod}");
        });
    }

    // The document as an endpoint and the UI in a branch under /swagger: other requests pass neither (Swashbuckle's
    // middleware matched every request's path against its templates).
    public static void UseArticlesOpenApi(this WebApplication app)
    {
        app.MapSwagger(setupAction: options => options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1);
        app.UseWhen(context => context.Request.Path.StartsWithSegments(UiPath),
            ui => ui.UseSwaggerUI(options => options.SwaggerEndpoint(DocumentPath, "Articles API v1")));
    }
}
