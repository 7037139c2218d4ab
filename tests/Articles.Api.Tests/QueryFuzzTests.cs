using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Articles.Api.Tests;

// Generated bad query strings never produce a 5xx, and every error is problem+json.
[Collection(nameof(CorpusApi))]
public sealed class QueryFuzzTests(CorpusApi api)
{
    private static readonly string[] Paths =
    [
        "/v1/articles", "/v1/articles/lookup", "/v1/providers", "/v1/changes", "/v1/topics/ai/feed.json",
        "/v1/providers/reuters.com/feed.atom", "/v1/topics",
    ];

    private static readonly string[] Names =
    [
        "limit", "page", "cursor", "topic", "provider", "type", "from", "to", "minQuality", "published", "q", "sort", "url", "key",
        "LIMIT", "x", "",
    ];

    // Percent-encoded raw bytes: any Unicode, control characters and invalid UTF-8 alike.
    private static string Encode(byte[] bytes) => string.Concat(bytes.Select(b => $"%{b:X2}"));

    private static Gen<string> Values(string cursor) => Gen.OneOf(
        Gen.Choose(int.MinValue, int.MaxValue).Select(n => n.ToString()),
        Gen.Elements("0", "-1", "1e309", "NaN", "99999999999999999999999", "0x10", "1.5", " 5", "true", "any", "relevance",
            "2024-13-45", "9999-12-31T23:59:59Z", "0001-01-01", "\"", "'", "%", "\\", "*", "-", "OR", "\"a", "a & b | !c :*"),
        Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)).Select(Encode),
        Gen.Choose(0, 40).Select(i => cursor[..Math.Min(i, cursor.Length)] + "A" + cursor[Math.Min(i + 1, cursor.Length)..]),
        Gen.Choose(1, 10_000).Select(n => new string('a', n)),
        Gen.Elements(cursor, "AQID", "garbage", "=="));

    [Fact]
    public async Task Generated_bad_query_strings_never_produce_a_server_error()
    {
        var cursor = (await api.Client.JsonAsync("/v1/articles?limit=3")).GetProperty("paging").Str("nextCursor");
        var pairs = Gen.ListOf(Gen.Elements(Names).SelectMany(name => Values(cursor).Select(value => $"{name}={value}")));
        var requests = Gen.Elements(Paths).SelectMany(path => pairs.Select(p => $"{path}?{string.Join('&', p)}"));

        var failures = new List<string>();
        var sent = 0;
        await Task.Run(() => Prop.ForAll(requests.ToArbitrary(), url =>
        {
            sent++;
            using var response = api.Client.GetAsync(url).GetAwaiter().GetResult();
            var type = response.Content.Headers.ContentType?.MediaType;
            // `invalid-request` is what a database data error becomes: a value validation let through to the SQL.
            var code = type == "application/problem+json"
                ? System.Text.Json.JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult()).RootElement.GetProperty("code").GetString()
                : null;
            var ok = (int)response.StatusCode < 500 && code != "invalid-request"
                && (response.IsSuccessStatusCode || (int)response.StatusCode == 304 || (int)response.StatusCode == 414 || code is not null);
            if (!ok)
            {
                failures.Add($"{url[..Math.Min(url.Length, 300)]} -> {(int)response.StatusCode} {type} {code}");
            }
            return ok;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300)));

        Assert.Empty(failures);
        Assert.Equal(300, sent);
    }
}
