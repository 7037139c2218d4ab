using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Articles.Ingest.Reading;

internal readonly record struct Position(int Line, int Column);

internal abstract record YamlNode(Position Start);

internal sealed record YamlScalar(string Value, bool Plain, Position Start) : YamlNode(Start)
{
    public bool IsNull => Plain && Value is "" or "~" or "null" or "Null" or "NULL";
}

internal sealed record YamlSequence(List<YamlNode> Items, Position Start) : YamlNode(Start);

internal sealed record YamlMapping(List<(string Key, YamlNode Value)> Entries, Position Start) : YamlNode(Start)
{
    // Keys, once there are enough that comparing each new key with every entry would cost more (a hostile file's
    // many keys would otherwise cost the square of their number).
    private HashSet<string>? _keys;

    public YamlNode? this[string key] => Entries.FirstOrDefault(e => e.Key == key).Value;

    // False, and nothing added, when the key is already there.
    public bool TryAdd(string key, YamlNode value)
    {
        if (_keys is null && Entries.Count >= 16)
        {
            _keys = new HashSet<string>(Entries.Select(e => e.Key), StringComparer.Ordinal);
        }
        if (_keys is null ? Entries.Exists(e => e.Key == key) : !_keys.Add(key))
        {
            return false;
        }
        Entries.Add((key, value));
        return true;
    }
}

internal sealed class DocumentException(string message, Position? at = null, string? field = null) : Exception(message)
{
    public Position? At { get; } = at;
    public string? Field { get; } = field;
}

// Builds a plain tree from YamlDotNet's events, refusing what a front-matter document never needs
// (anchors, aliases, tags, duplicate keys, deep nesting, more than one document) so that hostile
// input costs no more than its size.
internal static class YamlTree
{
    private const int MaxDepth = 16;

    public static YamlMapping Parse(string yaml, int lineOffset)
    {
        var parser = new Parser(new StringReader(yaml));
        var stack = new Stack<(YamlNode Node, string? PendingKey)>();
        YamlNode? root = null;
        var documents = 0;
        try
        {
            while (parser.MoveNext())
            {
                var current = parser.Current!;
                var at = new Position((int)current.Start.Line + lineOffset, (int)current.Start.Column);
                switch (current)
                {
                    case DocumentStart:
                        if (++documents > 1)
                        {
                            throw new DocumentException("front matter holds more than one YAML document", at);
                        }
                        break;
                    case AnchorAlias:
                        throw new DocumentException("YAML aliases are not allowed", at);
                    case NodeEvent { Anchor.IsEmpty: false }:
                        throw new DocumentException("YAML anchors are not allowed", at);
                    case NodeEvent { Tag.IsEmpty: false } node:
                        throw new DocumentException($"YAML tag '{node.Tag.Value}' is not allowed", at);
                    case Scalar scalar:
                        Add(new YamlScalar(scalar.Value, scalar.Style == ScalarStyle.Plain, at));
                        break;
                    case MappingStart:
                        Open(new YamlMapping([], at));
                        break;
                    case SequenceStart:
                        Open(new YamlSequence([], at));
                        break;
                    case MappingEnd or SequenceEnd:
                        Add(stack.Pop().Node);
                        break;
                }
            }
        }
        catch (YamlException e)
        {
            throw new DocumentException($"YAML syntax error: {Describe(e)}",
                new Position((int)e.Start.Line + lineOffset, (int)e.Start.Column));
        }

        return root as YamlMapping
            ?? throw new DocumentException(root is null ? "front matter is empty" : "front matter is not a mapping of keys to values");

        void Open(YamlNode node)
        {
            if (stack.Count >= MaxDepth)
            {
                throw new DocumentException($"YAML nesting deeper than {MaxDepth} levels", node.Start);
            }
            stack.Push((node, null));
        }

        void Add(YamlNode node)
        {
            if (stack.Count == 0)
            {
                root = node;
                return;
            }
            var (parent, pendingKey) = stack.Pop();
            switch (parent)
            {
                case YamlSequence sequence:
                    sequence.Items.Add(node);
                    stack.Push((parent, null));
                    break;
                case YamlMapping when pendingKey is null:
                    if (node is not YamlScalar key)
                    {
                        throw new DocumentException("mapping keys must be plain strings", node.Start);
                    }
                    stack.Push((parent, key.Value));
                    break;
                case YamlMapping mapping:
                    if (!mapping.TryAdd(pendingKey, node))
                    {
                        throw new DocumentException($"duplicate key '{pendingKey}'", node.Start, pendingKey);
                    }
                    stack.Push((parent, null));
                    break;
            }
        }
    }

    // YamlDotNet prefixes messages with the position, which the reject already carries.
    private static string Describe(YamlException e)
    {
        var message = e.Message;
        var close = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith('(') && close > 0 ? message[(close + 3)..] : message;
    }
}
