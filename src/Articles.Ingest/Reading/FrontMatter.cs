using System.Text;

namespace Articles.Ingest.Reading;

// Cuts the YAML between the opening and closing '---' lines out of a file's bytes, from the opening line's own line
// break, so that YAML's line numbers are the file's.
internal static class FrontMatter
{
    public const int MaxFileBytes = 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Extract(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxFileBytes)
        {
            throw new DocumentException($"file is {bytes.Length:N0} bytes, over the {MaxFileBytes:N0}-byte limit");
        }
        if (bytes.StartsWith<byte>([0xFF, 0xFE]) || bytes.StartsWith<byte>([0xFE, 0xFF]))
        {
            throw new DocumentException("file is UTF-16; documents must be UTF-8");
        }
        if (bytes.StartsWith<byte>([0xEF, 0xBB, 0xBF]))
        {
            bytes = bytes[3..];
        }
        var nul = bytes.IndexOf((byte)0);
        if (nul >= 0)
        {
            throw new DocumentException($"file contains a NUL byte at offset {nul}");
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new DocumentException($"file is not valid UTF-8 (at byte {e.Index})");
        }

        var firstEnd = LineEnd(text, 0);
        if (text[..firstEnd].TrimEnd() != "---")
        {
            throw new DocumentException("not a front-matter document: the first line is not '---'", new Position(1, 1));
        }
        for (var lineStart = Next(text, firstEnd); lineStart < text.Length; lineStart = Next(text, LineEnd(text, lineStart)))
        {
            var end = LineEnd(text, lineStart);
            if (text.AsSpan(lineStart, end - lineStart).TrimEnd() is "---")
            {
                return text[firstEnd..lineStart];
            }
        }
        throw new DocumentException("not a front-matter document: no closing '---' line (truncated file?)");
    }

    private static int LineEnd(string text, int from)
    {
        var end = text.IndexOf('\n', from);
        return end < 0 ? text.Length : end;
    }

    private static int Next(string text, int lineEnd) => Math.Min(lineEnd + 1, text.Length);
}
