using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Json.Schema;

namespace Soak;

// What openapi.json says a GET may answer: the status, its media type, and (for each distinct body) its schema.
sealed class Contract
{
    private readonly List<(Regex Path, JsonObject Responses)> _operations = [];
    private readonly Dictionary<string, JsonSchema> _schemas = [];
    private readonly ConcurrentDictionary<string, bool> _checkedBodies = new();
    private static readonly EvaluationOptions Flag = new() { OutputFormat = OutputFormat.Flag };

    public long BodiesChecked => _checkedBodies.Count;

    public Contract(string openApiPath)
    {
        var document = JsonNode.Parse(File.ReadAllText(openApiPath))!.AsObject();
        // Literal paths before templated ones, so /v1/articles/lookup is not taken for /v1/articles/{id}.
        foreach (var (path, item) in document["paths"]!.AsObject().OrderBy(p => p.Key.Count(c => c == '{')))
        {
            if (item?["get"]?["responses"] is JsonObject responses)
            {
                var pattern = "^" + Regex.Replace(Regex.Escape(path), @"\\\{[^/]+?}", "[^/]+") + "$";
                _operations.Add((new Regex(pattern, RegexOptions.Compiled), responses));
            }
        }
        // OpenAPI 3.1 schemas are JSON Schema 2020-12: one document per component, all components as its $defs.
        var defs = document["components"]!["schemas"]!.ToJsonString().Replace("#/components/schemas/", "#/$defs/");
        foreach (var (name, _) in document["components"]!["schemas"]!.AsObject())
        {
            var text = $$"""{"$schema":"https://json-schema.org/draft/2020-12/schema","$defs":{{defs}},"$ref":"#/$defs/{{name}}"}""";
            _schemas[name] = JsonSchema.FromText(text, baseUri: new Uri($"https://soak.local/{name}"));
        }
    }

    // Null when the response is what the contract says, else why not.
    public string? Check(string path, int status, string? mediaType, byte[] body)
    {
        var responses = _operations.FirstOrDefault(o => o.Path.IsMatch(path)).Responses;
        if (responses is null)
        {
            return $"{path} is not in openapi.json";
        }
        if (responses[status.ToString()] is not JsonObject response)
        {
            return $"status {status} is not declared for {path}";
        }
        if (response["content"] is not JsonObject content)
        {
            return body.Length == 0 ? null : $"status {status} declares no body, got {body.Length} bytes";
        }
        if (mediaType is null || content[mediaType] is not JsonObject media)
        {
            return $"media type {mediaType} is not declared for {status} (declared: {string.Join(", ", content.Select(c => c.Key))})";
        }
        if (!_checkedBodies.TryAdd(Convert.ToHexString(SHA256.HashData(body)), true))
        {
            return null;   // this very body was checked before
        }
        if (mediaType.EndsWith("xml", StringComparison.Ordinal))
        {
            try
            {
                XDocument.Parse(Encoding.UTF8.GetString(body));
                return null;
            }
            catch (System.Xml.XmlException e)
            {
                return $"{mediaType} body is not XML: {e.Message}";
            }
        }
        var reference = media["schema"]?["$ref"]?.GetValue<string>();
        if (reference is null)
        {
            return null;
        }
        using var json = JsonDocument.Parse(body);
        var name = reference[(reference.LastIndexOf('/') + 1)..];
        return _schemas[name].Evaluate(json.RootElement, Flag).IsValid ? null : $"body does not match schema {name}";
    }
}
