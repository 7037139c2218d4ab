extern alias ingest;

using System.Text.Json;
using System.Text.Json.Nodes;
using Articles.Data;
using Articles.Testing;
using ingest::Articles.Ingest;

namespace Articles.Api.Tests.Contract;

// The committed openapi.json against what the API serves. Prism validates every exchange of a request set that
// covers every path with each of its documented statuses, both paging modes and every object that may be null;
// any violation, any documented status not exercised and any status served but not documented fails the test.
[Collection(nameof(CorpusApi))]
public sealed class ContractTests(CorpusApi corpus)
{
    private readonly List<string> _violations = [];
    private readonly HashSet<(string Path, string Status)> _seen = [];
    private readonly HashSet<string> _nulls = [];

    [Fact]
    public async Task Every_path_and_documented_status_is_served_as_openapi_json_says()
    {
        var key = await AddKeyAsync("contract");
        var revoked = await AddKeyAsync("contract-revoked");
        Assert.Equal(0, (await JobAsync("keys", "revoke", "contract-revoked")).Exit);

        await using var api = await ApiProcess.StartAsync(Settings(corpus.Database.ConnectionString,
            ("RateLimits__ClientPerMinute", "1000000"), ("RateLimits__KeyPerMinute", "1000000")));
        await using (var prism = await PrismProxy.StartAsync(ContractTools.OpenApi, api.Address))
        {
            using var client = new HttpClient { BaseAddress = prism.Address, Timeout = TimeSpan.FromSeconds(60) };
            var samples = await ServedAsync(client, key, revoked);

            // Every path again where the client is over its limit, and where the database is away.
            await using var limited = await ApiProcess.StartAsync(Settings(corpus.Database.ConnectionString, ("RateLimits__ClientPerMinute", "1")));
            await using var limitedPrism = await PrismProxy.StartAsync(ContractTools.OpenApi, limited.Address);
            using var limitedClient = new HttpClient { BaseAddress = limitedPrism.Address };
            foreach (var (path, url) in samples.Where(s => s.Key.StartsWith("/v1/", StringComparison.Ordinal)))
            {
                await UntilAsync(limitedClient, path, url, 429);
            }

            await using var away = await ApiProcess.StartAsync(
                Settings("Host=127.0.0.1;Port=1;Username=nobody;Timeout=3"), readyPath: "/health/live");
            await using var awayPrism = await PrismProxy.StartAsync(ContractTools.OpenApi, away.Address);
            using var awayClient = new HttpClient { BaseAddress = awayPrism.Address };
            foreach (var (path, url) in samples.Where(s => s.Key != "/health/live"))
            {
                await SendAsync(awayClient, path, url, 503);
            }
        }

        var documented = Documented();
        var failures = documented.Except(_seen).Select(d => $"{d.Path} {d.Status} was never exercised")
            .Concat(_seen.Except(documented).Select(d => $"{d.Path} answered {d.Status}, which openapi.json does not document"))
            .Concat(new[] { "article provider logo", "change article", "list image", "provider logo" }.Except(_nulls).Select(n => $"no null {n} was served"))
            .Concat(_violations).ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} failures:\n{string.Join('\n', failures.Take(60))}");
    }

    // The requests for one API with a database; returns a plain 200 request for every path.
    private async Task<Dictionary<string, string>> ServedAsync(HttpClient client, string key, string revoked)
    {
        var samples = new Dictionary<string, string>();
        async Task<Response> Ok(string path, string url, string? apiKey = null)
        {
            samples.TryAdd(path, url);
            var response = await SendAsync(client, path, url, 200, apiKey);
            await SendAsync(client, path, url, 304, apiKey, ifNoneMatch: response.ETag ?? "\"none\"");
            return response;
        }

        await SendAsync(client, "/health/live", "/health/live", 200);
        samples["/health/live"] = "/health/live";
        await SendAsync(client, "/health/ready", "/health/ready", 200);
        samples["/health/ready"] = "/health/ready";

        // Every article by cursor (published, unpublished and removed: published=any), forwards and back.
        var ids = new List<string>();
        var next = "/v1/articles?published=any&limit=100";
        string? previous = null;
        while (next is not null)
        {
            var page = (await Ok("/v1/articles", next)).Json;
            foreach (var item in page["items"]!.AsArray())
            {
                ids.Add(item!["id"]!.GetValue<string>());
                Null(item["image"], "list image");
            }
            previous ??= Local(page["links"]!["next"]);
            next = Local(page["links"]!["next"]);
        }
        var back = (await Ok("/v1/articles", previous!)).Json;
        await Ok("/v1/articles", Local(back["links"]!["prev"])!);

        var topics = (await Ok("/v1/topics", "/v1/topics")).Json["items"]!.AsArray().Select(t => t!["slug"]!.GetValue<string>()).ToList();
        var providers = new List<JsonNode>();
        for (var number = 1; ; number++)
        {
            var page = (await Ok("/v1/providers", $"/v1/providers?limit=200&page={number}")).Json;
            providers.AddRange(page["items"]!.AsArray().Select(p => p!));
            if (page["links"]!["next"] is null)
            {
                break;
            }
        }
        foreach (var provider in providers)
        {
            Null(provider["logo"], "provider logo");
        }
        await Ok("/v1/providers", "/v1/providers?q=bl&limit=5");
        var topic = topics[0];
        var domain = providers[0]["domain"]!.GetValue<string>();

        // Numbered pages and every filter and sort, as documented.
        foreach (var query in new[]
        {
            "page=2&limit=50", $"page=1&topic={topic}", $"topic={topics[1]},{topics[2]}&topic={topic}", $"provider={domain}&type=video",
            "type=article&from=2021-01-01&to=2024-06-30T12:00:00Z", "minQuality=50&sort=quality", "sort=heat&published=false",
            "sort=oldest&limit=3", "q=diablo%20-beta&sort=relevance", "q=%22power%20apps%22%20OR%20canvas", "page=3&q=diablo&limit=10",
        })
        {
            await Ok("/v1/articles", "/v1/articles?" + query);
        }
        foreach (var bad in new[] { "limit=0", "sort=sideways", "from=yesterday", "page=0", "relevance=1&sort=relevance", "cursor=not-a-cursor", "page=1000&limit=100" })
        {
            await SendAsync(client, "/v1/articles", "/v1/articles?" + bad, 400, invalidRequest: true);
        }

        // Sparse fields and a batch by ids (with an unknown and a removed id).
        var removedId = Identity.PublicId("https://example.org/removed");
        await Ok("/v1/articles", "/v1/articles?fields=id,title,image&limit=50");
        await Ok("/v1/articles", "/v1/articles?page=2&fields=provider,topics");
        await Ok("/v1/articles", $"/v1/articles?ids={ids[3]},{Guid.NewGuid()},{ids[1]},{removedId}&fields=title");
        await Ok("/v1/articles", $"/v1/articles?ids={string.Join(",", ids.Take(100))}");
        await Ok("/v1/articles/{id}", $"/v1/articles/{ids[2]}?fields=title,provider,related");
        await Ok("/v1/articles", "/v1/articles?q=diablo&highlight=true&sort=relevance");
        await Ok("/v1/articles", "/v1/articles?q=zeppelin&highlight=true&fields=id");
        await Ok("/v1/articles", "/v1/articles?facets=topic,provider,type&facetLimit=3");
        await Ok("/v1/articles", $"/v1/articles?topic={topic}&q=diablo&facets=provider,type,topic&page=1");
        foreach (var bad in new[] { "fields=*", $"ids={ids[0]}&topic={topic}", "ids=not-an-id" })
        {
            await SendAsync(client, "/v1/articles", "/v1/articles?" + bad, 400);
        }
        await SendAsync(client, "/v1/articles/{id}", $"/v1/articles/{ids[0]}?fields=bogus", 400);
        await Ok("/v1/articles/{id}/similar", $"/v1/articles/{ids[0]}/similar");
        await Ok("/v1/articles/{id}/similar", $"/v1/articles/{ids[5]}/similar?limit=50");
        await SendAsync(client, "/v1/articles/{id}/similar", $"/v1/articles/{ids[0]}/similar?limit=0", 400, invalidRequest: true);
        await SendAsync(client, "/v1/articles/{id}/similar", $"/v1/articles/{Guid.NewGuid()}/similar", 404);
        await SendAsync(client, "/v1/articles/{id}/similar", $"/v1/articles/{removedId}/similar", 410);

        // Whole articles: every seventh, and one of a provider without a logo.
        foreach (var id in ids.Where((_, i) => i % 7 == 0))
        {
            await Ok("/v1/articles/{id}", $"/v1/articles/{id}");
        }
        var logoless = providers.First(p => p["logo"] is null)["domain"]!.GetValue<string>();
        var ofLogoless = (await Ok("/v1/articles", $"/v1/articles?provider={logoless}&published=any&limit=1")).Json["items"]![0]!["id"]!.GetValue<string>();
        Null((await Ok("/v1/articles/{id}", $"/v1/articles/{ofLogoless}")).Json["provider"]!["logo"], "article provider logo");
        await SendAsync(client, "/v1/articles/{id}", $"/v1/articles/{Guid.NewGuid()}", 404);
        await SendAsync(client, "/v1/articles/{id}", "/v1/articles/not-a-uuid", 404);
        await SendAsync(client, "/v1/articles/{id}", $"/v1/articles/{Identity.PublicId("https://example.org/removed")}", 410);

        var webUrl = (await Ok("/v1/articles/{id}", $"/v1/articles/{ids[0]}")).Json["webUrl"]?.GetValue<string>();
        await Ok("/v1/articles/lookup", "/v1/articles/lookup?url=" + Uri.EscapeDataString(webUrl ?? "https://example.org/related-a"));
        await SendAsync(client, "/v1/articles/lookup", "/v1/articles/lookup?url=https%3A%2F%2Fexample.org%2Fremoved", 410);
        await SendAsync(client, "/v1/articles/lookup", "/v1/articles/lookup?url=https%3A%2F%2Fexample.org%2Fnowhere", 404);
        await SendAsync(client, "/v1/articles/lookup", "/v1/articles/lookup", 400, invalidRequest: true);

        await Ok("/v1/topics/{slug}", $"/v1/topics/{topic}");
        await SendAsync(client, "/v1/topics/{slug}", "/v1/topics/no-such-topic", 404);
        await Ok("/v1/providers/{domain}", $"/v1/providers/{domain}");
        await Ok("/v1/providers/{domain}", $"/v1/providers/{logoless}");
        await SendAsync(client, "/v1/providers/{domain}", "/v1/providers/no-such.example", 404);
        await SendAsync(client, "/v1/providers", "/v1/providers?limit=0", 400, invalidRequest: true);

        // Partner feeds and the change feed: with and without keys, every page of the changes.
        foreach (var (scope, name) in new[] { ("topics/{slug}", topic), ("providers/{domain}", domain) })
        {
            foreach (var format in new[] { "json", "atom", "rss" })
            {
                var path = $"/v1/{scope}/feed.{format}";
                var url = path.Replace(scope[scope.IndexOf('{')..], name);
                await Ok(path, url);
                await Ok(path, url + "?limit=5", key);
                await SendAsync(client, path, url + "?limit=0", 400, invalidRequest: true);
                await SendAsync(client, path, url + "?key=ak_unknown", 401);
                await SendAsync(client, path, url, 403, revoked);
                await SendAsync(client, path, path.Replace(scope[scope.IndexOf('{')..], "no-such-thing"), 404);
            }
        }
        var changes = "/v1/changes?limit=1000";
        while (true)
        {
            var page = (await Ok("/v1/changes", changes, key)).Json;
            foreach (var item in page["items"]!.AsArray())
            {
                Null(item!["article"], "change article");
            }
            if (page["items"]!.AsArray().Count == 0)
            {
                break;
            }
            changes = Local(page["links"]!["next"])!;
        }
        await Ok("/v1/changes", $"/v1/changes?topic={topic}&limit=5");
        await SendAsync(client, "/v1/changes", "/v1/changes?cursor=nonsense", 400);
        await SendAsync(client, "/v1/changes", "/v1/changes?limit=0", 400, invalidRequest: true);
        await SendAsync(client, "/v1/changes", "/v1/changes?key=ak_unknown", 401);
        await SendAsync(client, "/v1/changes", "/v1/changes", 403, revoked);
        return samples;
    }

    private sealed record Response(JsonNode Json, string? ETag);

    private async Task<Response> SendAsync(HttpClient client, string path, string url, int status,
        string? key = null, string? ifNoneMatch = null, bool invalidRequest = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"GET {url}: expected {status}, got {(int)response.StatusCode}: {body}");
        _seen.Add((path, $"{status}"));
        // Read raw: the header is a JSON array, which a header parser would split at its commas.
        if (response.Headers.NonValidated.TryGetValues("sl-violations", out var values))
        {
            var raw = values.ToString();
            foreach (var violation in (raw.StartsWith('[') ? JsonNode.Parse(raw)!.AsArray() : [new JsonObject { ["location"] = new JsonArray("?"), ["message"] = raw }]))
            {
                // A request made invalid on purpose is reported as such; its response must still be as documented.
                if (!(invalidRequest && violation!["location"]![0]!.GetValue<string>() == "request"))
                {
                    _violations.Add($"GET {url} -> {status}: {violation!["location"]!.ToJsonString()} {violation["message"]}");
                }
            }
        }
        return new Response(Parse(url, response, body), response.Headers.ETag?.ToString());
    }

    private static JsonNode Parse(string url, HttpResponseMessage response, string body)
    {
        if (response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.Ordinal) != true)
        {
            return new JsonObject();
        }
        try
        {
            return JsonNode.Parse(body)!;
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"GET {url}: {(int)response.StatusCode} {response.Content.Headers.ContentType} is not JSON: {body}", e);
        }
    }

    // Over the limit of one request a minute, nearly every request is refused; one may slip through as the bucket refills.
    private async Task UntilAsync(HttpClient client, string path, string url, int status)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var response = await client.GetAsync(url);
            if ((int)response.StatusCode == status)
            {
                await SendAsync(client, path, url, status);
                return;
            }
        }
        Assert.Fail($"GET {url} never answered {status}");
    }

    private void Null(JsonNode? value, string what)
    {
        if (value is null)
        {
            _nulls.Add(what);
        }
    }

    // Links are absolute, to the API behind the proxy: the proxy is asked for their path and query.
    private static string? Local(JsonNode? link) => link is null ? null : new Uri(link.GetValue<string>()).PathAndQuery;

    private static HashSet<(string Path, string Status)> Documented()
    {
        var document = JsonNode.Parse(File.ReadAllText(ContractTools.OpenApi))!;
        return document["paths"]!.AsObject()
            .SelectMany(p => p.Value!["get"]!["responses"]!.AsObject().Select(r => (p.Key, r.Key)))
            .ToHashSet();
    }

    private static Dictionary<string, string> Settings(string connectionString, params (string Key, string Value)[] settings)
    {
        var environment = new Dictionary<string, string> { ["ConnectionStrings__Articles"] = connectionString };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }
        return environment;
    }

    private async Task<string> AddKeyAsync(string name)
    {
        var (exit, output) = await JobAsync("keys", "add", name);
        Assert.Equal(0, exit);
        return output.Split('\n')[1].Trim();
    }

    private async Task<(int Exit, string Output)> JobAsync(params string[] args)
    {
        var output = new StringWriter();
        var exit = await JobCommands.RunAsync([.. args, "--connection", corpus.Database.ConnectionString],
            output, new StringWriter(), interactive: false, CancellationToken.None);
        return (exit, output.ToString());
    }
}
