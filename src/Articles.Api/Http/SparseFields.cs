using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Caching.Memory;

namespace Articles.Api.Http;

// Marks a response record whose members a request may pick with fields= (id is always written).
[AttributeUsage(AttributeTargets.Class)]
internal sealed class SparseAttribute : Attribute;

// The members a fields= asked for, and the serializer options that write only those (and id) of its type.
internal sealed class FieldSet(IReadOnlySet<string> names, JsonSerializerOptions options)
{
    public JsonSerializerOptions Options => options;

    public bool Has(string name) => names.Contains(name);
}

internal static class SparseFields
{
    // Options per type and field set, built once each: ApiJson's generated metadata with the other members skipped.
    private static readonly MemoryCache Built = new(new MemoryCacheOptions { SizeLimit = 256 });

    // The member names of a type as its JSON writes them; those written only when they have a value (asked for by
    // another parameter) are not picked by fields=.
    public static IReadOnlyList<string> Names(Type type) =>
        ApiJson.Default.GetTypeInfo(type)!.Properties.Where(p => !Optional(type).Contains(p.Name)).Select(p => p.Name).ToList();

    public static IReadOnlyList<string> Optional(Type type) => type.GetProperties()
        .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>()?.Condition == JsonIgnoreCondition.WhenWritingNull)
        .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).ToList();

    // Why fields= cannot be served (a name the type does not have), or null.
    public static string? Invalid(Type type, string? fields)
    {
        if (fields is null)
        {
            return null;
        }
        var names = Names(type);
        var unknown = Split(fields).Where(f => !names.Contains(f, StringComparer.OrdinalIgnoreCase)).ToList();
        return unknown.Count == 0 && Split(fields).Any() ? null
            : $"{(unknown.Count == 0 ? "Name at least one field" : $"Unknown field {string.Join(", ", unknown.Take(5).Select(u => $"'{u}'"))}")}; " +
              $"allowed: {string.Join(", ", names)}.";
    }

    // Null without fields= (every member is written). Validate with Invalid first.
    public static FieldSet? For(Type type, string? fields)
    {
        if (fields is null)
        {
            return null;
        }
        var names = Names(type);
        var wanted = Split(fields).Select(f => names.First(n => n.Equals(f, StringComparison.OrdinalIgnoreCase)))
            .Append("id").Concat(Optional(type)).ToHashSet(StringComparer.Ordinal);
        var key = (type, string.Join(',', wanted.Order(StringComparer.Ordinal)));
        var options = Built.GetOrCreate(key, entry =>
        {
            entry.Size = 1;
            return new JsonSerializerOptions(ApiJson.Default.Options)
            {
                TypeInfoResolver = ApiJson.Default.WithAddedModifier(info =>
                {
                    if (info.Type == type)
                    {
                        foreach (var property in info.Properties.Where(p => !wanted.Contains(p.Name)))
                        {
                            property.ShouldSerialize = static (_, _) => false;
                        }
                    }
                }),
            };
        })!;
        return new FieldSet(wanted, options);
    }

    // Absent fields= shows everything.
    public static bool Shows(this FieldSet? fields, string name) => fields is null || fields.Has(name);

    private static IEnumerable<string> Split(string fields) =>
        fields.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
