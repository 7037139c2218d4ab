using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Articles.Ingest.Reading;

// Typed reads of one YAML mapping; a value of the wrong type is an error naming its field and line.
internal sealed class Fields
{
    private const int MaxUnknownKeys = 10;
    private readonly YamlMappingNode _mapping;
    private readonly string _path;
    private readonly List<string> _warnings;

    public Fields(YamlNode node, string path, List<string> warnings, IReadOnlySet<string> knownKeys)
    {
        _mapping = node as YamlMappingNode ?? throw new DocumentException($"'{path}' must be a mapping", Position.Of(node.Start), path);
        _path = path;
        _warnings = warnings;
        // Named up to a point, then counted: a file of 100,000 made-up keys should not write 100,000 warnings.
        var unknown = 0;
        foreach (var (key, value) in _mapping.Children)
        {
            var name = key is YamlScalarNode { Value: { } text } ? text
                : throw new DocumentException("mapping keys must be plain strings", Position.Of(key.Start));
            if (!knownKeys.Contains(name) && ++unknown <= MaxUnknownKeys)
            {
                warnings.Add($"line {value.Start.Line}: unknown key '{Name(name)}' was ignored");
            }
        }
        if (unknown > MaxUnknownKeys)
        {
            warnings.Add($"{unknown - MaxUnknownKeys:N0} more unknown keys{(_path.Length == 0 ? "" : $" in '{_path}'")} were ignored");
        }
    }

    public string? String(string key) => Scalar(key)?.Value;

    public int? Int(string key) => Parse<int>(key, "a whole number",
        s => int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : null);

    public bool? Bool(string key) => Parse<bool>(key, "true or false", s => s.ToLowerInvariant() switch
    {
        "true" => true,
        "false" => false,
        _ => (bool?)null,
    });

    public DateTimeOffset? Date(string key) => Parse<DateTimeOffset>(key, "a date-time such as 2022-05-14T00:00:00Z",
        s => DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var v) ? v : null);

    public T? Mapping<T>(string key, Func<Fields, T> map, IReadOnlySet<string> knownKeys) where T : class =>
        Node(key) is { } node && !IsNull(node) ? map(new Fields(node, Name(key), _warnings, knownKeys)) : null;

    // Items that are null are dropped with a warning; the rest go through read.
    public IReadOnlyList<T> List<T>(string key, Func<YamlNode, string, T> read)
    {
        var node = Node(key);
        if (node is null || IsNull(node))
        {
            return [];
        }
        if (node is not YamlSequenceNode sequence)
        {
            throw new DocumentException($"'{Name(key)}' must be a list", Position.Of(node.Start), Name(key));
        }
        var items = new List<T>(sequence.Children.Count);
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var item = sequence.Children[i];
            var name = $"{Name(key)}[{i}]";
            if (IsNull(item))
            {
                _warnings.Add($"line {item.Start.Line}: '{name}' is empty and was dropped");
                continue;
            }
            items.Add(read(item, name));
        }
        return items;
    }

    public static string ScalarValue(YamlNode node, string name) => node is YamlScalarNode { Value: { } value }
        ? value
        : throw new DocumentException($"'{name}' must be a single value", Position.Of(node.Start), name);

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: "" or "~" or "null" or "Null" or "NULL" };

    private string Name(string key) => _path.Length == 0 ? key : $"{_path}.{key}";

    private YamlNode? Node(string key) => _mapping.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    private YamlScalarNode? Scalar(string key) => Node(key) switch
    {
        null => null,
        var node when IsNull(node) => null,
        YamlScalarNode scalar => scalar,
        var other => throw new DocumentException($"'{Name(key)}' must be a single value", Position.Of(other.Start), Name(key)),
    };

    private T? Parse<T>(string key, string expected, Func<string, T?> parse) where T : struct
    {
        var scalar = Scalar(key);
        if (scalar?.Value is not { } value)
        {
            return null;
        }
        return parse(value.Trim())
            ?? throw new DocumentException($"'{Name(key)}' must be {expected}, not '{Truncate(value)}'", Position.Of(scalar.Start), Name(key));
    }

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "...";
}
