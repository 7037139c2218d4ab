using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Articles.Ingest.Reading;

internal readonly record struct Position(int Line, int Column)
{
    public static Position Of(Mark mark) => new((int)mark.Line, (int)mark.Column);
}

internal sealed class DocumentException(string message, Position? at = null, string? field = null) : Exception(message)
{
    public Position? At { get; } = at;
    public string? Field { get; } = field;
}

// Loads front matter with YamlDotNet, refusing what a front-matter document never needs (anchors, aliases, tags,
// deep nesting, more than one document) as the parser meets it, so that hostile input costs no more than its size.
internal static class YamlTree
{
    private const int MaxDepth = 16;

    public static YamlMappingNode Parse(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new Guarded(new Parser(new StringReader(yaml))));
        }
        catch (YamlException e)
        {
            var message = Describe(e);
            // YamlDotNet names the key after these words.
            if (message.StartsWith("Duplicate key ", StringComparison.Ordinal))
            {
                var key = message["Duplicate key ".Length..];
                throw new DocumentException($"duplicate key '{key}'", Position.Of(e.Start), key);
            }
            throw new DocumentException($"YAML syntax error: {message}", Position.Of(e.Start));
        }
        return stream.Documents.FirstOrDefault()?.RootNode switch
        {
            YamlMappingNode root => root,
            null => throw new DocumentException("front matter is empty"),
            _ => throw new DocumentException("front matter is not a mapping of keys to values"),
        };
    }

    // YamlDotNet prefixes messages with the position, which the reject already carries.
    private static string Describe(YamlException e)
    {
        var message = e.Message;
        var close = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith('(') && close > 0 ? message[(close + 3)..] : message;
    }

    // The parser's events as the loader asks for them, each checked before the loader sees it.
    private sealed class Guarded(IParser parser) : IParser
    {
        private int _depth;
        private int _documents;

        public ParsingEvent? Current => parser.Current;

        public bool MoveNext()
        {
            if (!parser.MoveNext())
            {
                return false;
            }
            var at = Position.Of(parser.Current!.Start);
            switch (parser.Current)
            {
                case DocumentStart when ++_documents > 1:
                    throw new DocumentException("front matter holds more than one YAML document", at);
                case AnchorAlias:
                    throw new DocumentException("YAML aliases are not allowed", at);
                case NodeEvent { Anchor.IsEmpty: false }:
                    throw new DocumentException("YAML anchors are not allowed", at);
                case NodeEvent { Tag.IsEmpty: false } node:
                    throw new DocumentException($"YAML tag '{node.Tag.Value}' is not allowed", at);
                case MappingStart or SequenceStart when ++_depth > MaxDepth:
                    throw new DocumentException($"YAML nesting deeper than {MaxDepth} levels", at);
                case MappingEnd or SequenceEnd:
                    _depth--;
                    break;
            }
            return true;
        }
    }
}
