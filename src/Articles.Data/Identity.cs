using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Articles.Data;

// The identity rules the job writes with and the API looks up with.
public static class Identity
{
    // Trimmed, raw spaces percent-encoded; nothing else, so stored URLs stay as their sites wrote them.
    public static string? NormalizeUrl(string? value)
    {
        var trimmed = value?.Trim();
        return string.IsNullOrEmpty(trimmed) ? null : trimmed.Replace(" ", "%20", StringComparison.Ordinal);
    }

    // A name-based UUID (RFC 9562 version 8) from the canonical URL: rebuilding from the same files keeps every id.
    public static Guid PublicId(string canonicalUrl)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(canonicalUrl), hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }

    // "Computer Vision" -> "computer-vision", "C++" -> "c-plus-plus", "Pokémon" -> "pokemon".
    public static string Slug(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        foreach (var c in name.Normalize(NormalizationForm.FormD))
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
            else if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            else
            {
                var word = c switch { '+' => "plus", '#' => "sharp", '&' => "and", '@' => "at", _ => null };
                if (builder.Length > 0 && builder[^1] != '-')
                {
                    builder.Append('-');
                }
                if (word is not null)
                {
                    builder.Append(word).Append('-');
                }
            }
        }
        var slug = builder.ToString().Trim('-');
        // Names with no letters or digits we can spell (emoji, CJK) still get a stable, unique slug.
        return slug.Length > 0
            ? slug
            : "t-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..12];
    }
}
