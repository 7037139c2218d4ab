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
    private readonly SparseFields.Member[] _chosen = SparseFields.MembersOf(type).Where(m => names.Contains(m.Info.Name)).ToArray();

    public bool Has(string name) => names.Contains(name);

    // The thinned type itself, or an object with a list of it (a page): every other member is written whole.
    public void Write<T>(Utf8JsonWriter writer, T value) =>
        WriteObject(writer, value!, typeof(T) == type ? _chosen : SparseFields.MembersOf(typeof(T)));

    private void WriteObject(Utf8JsonWriter writer, object value, SparseFields.Member[] members)
    {
        writer.WriteStartObject();
        foreach (var member in members)
        {
            var memberValue = member.Info.Get!(value);
            if (memberValue is null && member.Optional)
            {
                continue;
            }
            writer.WritePropertyName(member.Info.Name);
            if (member.Element == type && memberValue is IEnumerable items)
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
                JsonSerializer.Serialize(writer, memberValue, member.Info.PropertyType, ApiJson.Default);
            }
        }
        writer.WriteEndObject();
    }
}

internal static class SparseFields
{
    // A member as ApiJson writes it. Optional: written only when it has a value (asked for by another parameter, so
    // fields= does not pick it). Element: the item type when it is a list.
    internal sealed record Member(JsonPropertyInfo Info, bool Optional, Type? Element);

    private static readonly ConcurrentDictionary<Type, Member[]> Members = new();

    internal static Member[] MembersOf(Type type) => Members.GetOrAdd(type, static t =>
    {
        var optional = Optional(t);
        return ApiJson.Default.GetTypeInfo(t)?.Properties.Select(p => new Member(p, optional.Contains(p.Name),
            p.PropertyType.IsGenericType ? p.PropertyType.GetGenericArguments()[0] : null)).ToArray() ?? [];
    });

    // The member names fields= may pick.
    public static IReadOnlyList<string> Names(Type type) => MembersOf(type).Where(m => !m.Optional).Select(m => m.Info.Name).ToList();

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
        return new FieldSet(type, Split(fields).Select(f => names.First(n => n.Equals(f, StringComparison.OrdinalIgnoreCase)))
            .Append("id").Concat(Optional(type)).ToHashSet(StringComparer.Ordinal));
    }

    // Absent fields= shows everything.
    public static bool Shows(this FieldSet? fields, string name) => fields is null || fields.Has(name);

    private static IEnumerable<string> Split(string fields) =>
        fields.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
