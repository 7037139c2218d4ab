using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Articles.Api.Http;

// How a query parameter is documented. Parameters bind as strings so that every bad value reaches the
// validator (one problem format); this restores the real type, range and default in OpenAPI.
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
internal sealed class ParameterDocAttribute(string description) : Attribute
{
    public string Description { get; } = description;
    public string Type { get; init; } = "string";
    public string? Format { get; init; }
    public string? Default { get; init; }
    public string? Enum { get; init; }
    public double Minimum { get; init; } = double.NaN;
    public double Maximum { get; init; } = double.NaN;
    public int MaxLength { get; init; }
    public bool Repeatable { get; init; }
}

internal sealed class ParameterDocsFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        foreach (var description in context.ApiDescription.ParameterDescriptions)
        {
            var doc = (description.ParameterDescriptor as IParameterInfoParameterDescriptor)?.ParameterInfo.GetCustomAttribute<ParameterDocAttribute>();
            var parameter = operation.Parameters?.OfType<OpenApiParameter>().FirstOrDefault(p => p.Name == description.Name);
            if (doc is null || parameter is null)
            {
                continue;
            }
            parameter.Description = doc.Description;
            var schema = new OpenApiSchema
            {
                Type = doc.Type == "integer" ? JsonSchemaType.Integer : JsonSchemaType.String,
                Format = doc.Format,
                Default = doc.Default is null ? null : doc.Type == "integer" ? JsonValue.Create(int.Parse(doc.Default, CultureInfo.InvariantCulture)) : JsonValue.Create(doc.Default),
                Minimum = double.IsNaN(doc.Minimum) ? null : doc.Minimum.ToString(CultureInfo.InvariantCulture),
                Maximum = double.IsNaN(doc.Maximum) ? null : doc.Maximum.ToString(CultureInfo.InvariantCulture),
                MaxLength = doc.MaxLength > 0 ? doc.MaxLength : null,
                Enum = doc.Enum?.Split(',').Select(v => (JsonNode)JsonValue.Create(v)!).ToList(),
            };
            parameter.Schema = doc.Repeatable ? new OpenApiSchema { Type = JsonSchemaType.Array, Items = schema } : schema;
        }
    }
}
