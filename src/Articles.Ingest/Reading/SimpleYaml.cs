using System.Buffers;
using System.Globalization;
using System.Text;

namespace Articles.Ingest.Reading;

// The front matter as it is written: block mappings and sequences of one-line scalars. YamlDotNet's scanner was
// half the job's CPU on such documents; this reads them in one pass over the lines. Anything else (comments, flow
// collections, block or multi-line scalars, anchors, tags, tabs, empty values, rare escapes, any error) returns null
// and YamlDotNet reads the document instead, so it alone decides what is an error and says so.
// SimpleYamlTests hold the two to the same tree, node for node, on every real document and on random ones.
internal static class SimpleYaml
{
    // Characters YAML treats as breaks or refuses, and tabs: their rules are YamlDotNet's to apply.
    private static readonly SearchValues<char> Unusual = SearchValues.Create([
        .. Enumerable.Range(0, 0xA0).Select(c => (char)c).Where(c => c is (< ' ' and not ('\n' or '\r')) or >= '\u007F'),
        '\u2028', '\u2029', '\uFEFF', '\uFFFE', '\uFFFF']);

    // Plain scalars may not start with these (a '-' may, when a non-space follows; '?' and ':' are left to YamlDotNet).
    private const string Indicators = ",[]{}#&*!|>%@`?:";
    private const int MaxKeyLength = 128;

    public static YamlMapping? TryParse(string yaml, int lineOffset) =>
        yaml.AsSpan().IndexOfAny(Unusual) >= 0 ? null : new Lines(yaml, lineOffset).Document();

    private sealed class Lines
    {
        private readonly string _text;
        private readonly int _lineOffset;
        // Each line without its line break, and its indent (-1 for a blank line).
        private readonly List<(int Start, int End, int Indent)> _lines = [];
        private readonly bool _lineBreaksOk = true;
        private int _line;
        // Where the current line's content starts when it is the rest of a "- " item; -1 otherwise.
        private int _from = -1;

        public Lines(string text, int lineOffset)
        {
            _text = text;
            _lineOffset = lineOffset;
            for (var start = 0; start < text.Length;)
            {
                var newline = text.IndexOf('\n', start);
                var next = newline < 0 ? text.Length : newline + 1;
                var end = newline < 0 ? text.Length : newline;
                if (end > start && text[end - 1] == '\r')
                {
                    end--;
                }
                _lineBreaksOk &= text.AsSpan(start, end - start).IndexOf('\r') < 0;
                var content = SkipSpaces(start, end);
                _lines.Add((start, end, content == end ? -1 : content - start));
                start = next;
            }
        }

        public YamlMapping? Document()
        {
            SkipBlank();
            if (!_lineBreaksOk || _line >= _lines.Count)
            {
                return null;
            }
            var root = Mapping(Indent(), depth: 1);
            SkipBlank();
            return _line < _lines.Count ? null : root;
        }

        private YamlNode? Block(int indent, int depth)
        {
            var start = _lines[_line].Start + indent;
            return IsDash(start, _lines[_line].End) ? Sequence(indent, depth) : Mapping(indent, depth);
        }

        private YamlMapping? Mapping(int indent, int depth)
        {
            if (depth > YamlTree.MaxDepth)
            {
                return null;
            }
            var mapping = new YamlMapping([], At(indent));
            while (SkipBlank() && Indent() >= indent)
            {
                if (Indent() > indent)
                {
                    return null;
                }
                var (lineStart, end, _) = _lines[_line];
                var keyStart = lineStart + indent;
                var colon = KeyEnd(keyStart, end);
                if (colon < 0)
                {
                    return null;
                }
                var key = _text[keyStart..colon];
                var value = SkipSpaces(colon + 1, end);
                YamlNode? node;
                if (value == end)
                {
                    // Nothing after the colon: a nested block must follow, deeper (an empty value is YamlDotNet's).
                    Next();
                    if (!SkipBlank() || Indent() <= indent)
                    {
                        return null;
                    }
                    node = Block(Indent(), depth + 1);
                }
                else
                {
                    // A deeper line after it would continue it (or be an error): the loop passes that on.
                    node = Scalar(value, end);
                    Next();
                }
                // A duplicate key is an error: YamlDotNet's to report.
                if (node is null || !mapping.TryAdd(key, node))
                {
                    return null;
                }
            }
            return mapping;
        }

        private YamlSequence? Sequence(int indent, int depth)
        {
            if (depth > YamlTree.MaxDepth)
            {
                return null;
            }
            var sequence = new YamlSequence([], At(indent));
            while (SkipBlank() && Indent() >= indent)
            {
                var (lineStart, end, _) = _lines[_line];
                if (Indent() > indent || !IsDash(lineStart + indent, end))
                {
                    return null;
                }
                var value = SkipSpaces(lineStart + indent + 1, end);
                if (value == end)
                {
                    return null;
                }
                YamlNode? node;
                if (KeyEnd(value, end) >= 0)
                {
                    // "- key: value" opens a mapping at the key's column.
                    _from = value - lineStart;
                    node = Mapping(_from, depth + 1);
                }
                else
                {
                    node = Scalar(value, end);
                    Next();
                }
                if (node is null)
                {
                    return null;
                }
                sequence.Items.Add(node);
            }
            return sequence;
        }

        private YamlScalar? Scalar(int start, int end)
        {
            var at = At(start - _lines[_line].Start);
            var first = _text[start];
            if (first == '"')
            {
                return DoubleQuoted(start, end) is { } value ? new YamlScalar(value, false, at) : null;
            }
            if (first == '\'')
            {
                return SingleQuoted(start, end) is { } value ? new YamlScalar(value, false, at) : null;
            }
            if (Indicators.Contains(first) || (first == '-' && (start + 1 == end || _text[start + 1] == ' ')))
            {
                return null;
            }
            while (_text[end - 1] == ' ')
            {
                end--;
            }
            var plain = _text.AsSpan(start, end - start);
            if (plain.Contains(": ", StringComparison.Ordinal) || plain.Contains(" #", StringComparison.Ordinal) || plain[^1] == ':')
            {
                return null;
            }
            return new YamlScalar(plain.ToString(), true, at);
        }

        private string? DoubleQuoted(int start, int end)
        {
            var i = start + 1;
            var plainEnd = _text.AsSpan(i, end - i).IndexOfAny('"', '\\');
            if (plainEnd >= 0 && _text[i + plainEnd] == '"')
            {
                // No escapes: the common case.
                return OnlySpaces(i + plainEnd + 1, end) ? _text.Substring(i, plainEnd) : null;
            }
            var value = new StringBuilder(end - start);
            for (; i < end; i++)
            {
                var c = _text[i];
                if (c == '"')
                {
                    return OnlySpaces(i + 1, end) ? value.ToString() : null;
                }
                if (c != '\\')
                {
                    value.Append(c);
                    continue;
                }
                if (++i == end)
                {
                    return null;
                }
                switch (_text[i])
                {
                    case '"': value.Append('"'); break;
                    case '\\': value.Append('\\'); break;
                    case '/': value.Append('/'); break;
                    case 'n': value.Append('\n'); break;
                    case 'r': value.Append('\r'); break;
                    case 't': value.Append('\t'); break;
                    case 'u' when Hex(i + 1, 4, end) is { } code:
                        value.Append((char)code);
                        i += 4;
                        break;
                    default:
                        return null;
                }
            }
            return null;
        }

        // Four hex digits naming a character that is not half of a surrogate pair (those are YamlDotNet's).
        private int? Hex(int start, int length, int end) =>
            start + length <= end
            && int.TryParse(_text.AsSpan(start, length), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
            && code is < 0xD800 or > 0xDFFF
                ? code
                : null;

        private string? SingleQuoted(int start, int end)
        {
            var value = new StringBuilder(end - start);
            for (var i = start + 1; i < end; i++)
            {
                if (_text[i] != '\'')
                {
                    value.Append(_text[i]);
                }
                else if (i + 1 < end && _text[i + 1] == '\'')
                {
                    value.Append('\'');
                    i++;
                }
                else
                {
                    return OnlySpaces(i + 1, end) ? value.ToString() : null;
                }
            }
            return null;
        }

        // The index of the ':' ending a plain key ([A-Za-z0-9_]+) followed by a space or the line's end; else -1.
        private int KeyEnd(int start, int end)
        {
            var i = start;
            while (i < end && i - start < MaxKeyLength && (char.IsAsciiLetterOrDigit(_text[i]) || _text[i] == '_'))
            {
                i++;
            }
            return i > start && i < end && _text[i] == ':' && (i + 1 == end || _text[i + 1] == ' ') ? i : -1;
        }

        private bool IsDash(int start, int end) => _text[start] == '-' && (start + 1 == end || _text[start + 1] == ' ');

        private int SkipSpaces(int i, int end)
        {
            while (i < end && _text[i] == ' ')
            {
                i++;
            }
            return i;
        }

        private bool OnlySpaces(int start, int end) => SkipSpaces(start, end) == end;

        private int Indent() => _from >= 0 ? _from : _lines[_line].Indent;

        // Moves past blank lines; false at the end of the text.
        private bool SkipBlank()
        {
            while (_from < 0 && _line < _lines.Count && _lines[_line].Indent < 0)
            {
                _line++;
            }
            return _line < _lines.Count;
        }

        private void Next()
        {
            _line++;
            _from = -1;
        }

        // YamlDotNet's marks: lines and columns from 1, lines counted in the file.
        private Position At(int column) => new(_line + 1 + _lineOffset, column + 1);
    }
}
