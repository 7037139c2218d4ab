using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Articles.Api.Http;

// Marks a response record whose members a request may pick with fields= (id is always written).
[AttributeUsage(AttributeTargets.Class)]
internal sealed class SparseAttribute : Attribute;

// The members a fields= asked for. Written member by member with ApiJson's generated metadata (names, getters, and
// each value's own serializer): System.Text.Json's way, a ShouldSerialize per member, left the generated fast path and
// cost more CPU than the whole body.
internal sealed class FieldSet(Type type, IReadOnlySet<string> names)
{
    private readonly JsonPropertyInfo[] _chosen = ApiJson.Default.GetTypeInfo(type)!.Properties.Where(p => names.Contains(p.Name)).ToArray();

    public bool Has(string name) => names.Contains(name);

    // The thinned type itself, or an object with a list of it (a page): every other member is written whole.
    public void Write<T>(Utf8JsonWriter writer, T value)
    {
        if (typeof(T) == type)
        {
            WriteObject(writer, value!, _chosen);
            return;
        }
        WriteObject(writer, value!, ApiJson.Default.GetTypeInfo(typeof(T))!.Properties);
    }

    private void WriteObject(Utf8JsonWriter writer, object value, IEnumerable<JsonPropertyInfo> members)
    {
        writer.WriteStartObject();
        foreach (var member in members)
        {
            var memberValue = member.Get!(value);
            if (memberValue is null && SparseFields.Optional(value.GetType()).Contains(member.Name))
            {
                continue;
            }
            writer.WritePropertyName(member.Name);
            if (memberValue is IEnumerable items && member.PropertyType.IsGenericType && member.PropertyType.GetGenericArguments()[0] == type)
            {
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    WriteObject(writer, item, _chosen);
                }
                writer.WriteEndArray();
            }
            else
            {
                JsonSerializer.Serialize(writer, memberValue, member.PropertyType, ApiJson.Default);
            }
        }
        writer.WriteEndObject();
    }
}

internal static class SparseFields
{
    private static readonly ConcurrentDictionary<Type, (string[] Names, string[] Optional)> Members = new();

    // The member names of a type as its JSON writes them; those written only when they have a value (asked for by
    // another parameter) are not picked by fields=.
    public static IReadOnlyList<string> Names(Type type) => MembersOf(type).Names;

    public static IReadOnlyList<string> Optional(Type type) => MembersOf(type).Optional;

    private static (string[] Names, string[] Optional) MembersOf(Type type) => Members.GetOrAdd(type, static t =>
    {
        var optional = t.GetProperties()
            .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>()?.Condition == JsonIgnoreCondition.WhenWritingNull)
            .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).ToArray();
        var names = ApiJson.Default.GetTypeInfo(t)?.Properties.Select(p => p.Name).Except(optional).ToArray() ?? [];
        return (names, optional);
    });

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
        return new FieldSet(type, Split(fields).Select(f => names.First(n => n.Equals(f, StringComparison.OrdinalIgnoreCase)))
            .Append("id").Concat(Optional(type)).ToHashSet(StringComparer.Ordinal));
    }

    // Absent fields= shows everything.
    public static bool Shows(this FieldSet? fields, string name) => fields is null || fields.Has(name);

    private static IEnumerable<string> Split(string fields) =>
        fields.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
