extern alias ingest;

using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Articles.Data;
using Articles.Testing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Articles.Api.Tests;

// Every document the corpus API loaded, read here with YamlDotNet (not the job's reader), served back by id field for
// field after the README's mappings: the winner of each URL, text decoded, URLs trimmed with spaces encoded, heat -1
// as null, missing published as true, topics distinct by slug, the provider's images as this document gave them.
[Collection(nameof(CorpusApi))]
public sealed class FidelityTests(CorpusApi api)
{
    [Fact]
    public async Task Every_document_is_served_back_field_for_field()
    {
        var documents = new[] { Corpus.Directory, Corpus.Seeds, Path.Combine(AppContext.BaseDirectory, "Fixtures") }
            .SelectMany(dir => Directory.EnumerateFiles(dir, "*.md", SearchOption.AllDirectories))
            .Where(path => !Path.GetFileName(path).Equals("README.md", StringComparison.OrdinalIgnoreCase))
            .Select(Parse).ToList();
        // The latest publishedDateTime wins its URL; a tie goes to the later path.
        var winners = documents.GroupBy(d => d.Url)
            .Select(g => g.OrderBy(d => d.PublishedAt).ThenBy(d => d.Path, StringComparer.Ordinal).Last()).ToList();
        var held = winners.Where(w => !w.Removed).Select(w => w.Url).ToHashSet(StringComparer.Ordinal);
        var spellings = documents.SelectMany(d => d.Topics).GroupBy(Identity.Slug)
            .ToDictionary(g => g.Key, g => g.Distinct(StringComparer.Ordinal).Count());

        var mismatches = new List<string>();
        var served = 0;
        foreach (var winner in winners)
        {
            using var response = await api.Client.GetAsync($"/v1/articles/{Identity.PublicId(winner.Url)}");
            var text = await response.Content.ReadAsStringAsync();
            if (winner.Removed)
            {
                if (response.StatusCode != HttpStatusCode.Gone)
                {
                    mismatches.Add($"{winner.Path}: removed, but answered {(int)response.StatusCode}");
                }
                continue;
            }
            if (response.StatusCode != HttpStatusCode.OK)
            {
                mismatches.Add($"{winner.Path}: answered {(int)response.StatusCode} {text}");
                continue;
            }
            served++;
            var actual = JsonNode.Parse(text)!.AsObject();
            var expected = winner.Expected(held);
            foreach (var (name, value) in expected)
            {
                var got = actual[name];
                if (name == "topics")
                {
                    // A topic's name is the first spelling the job met; compare names only where there is one spelling.
                    got = new JsonArray(got!.AsArray().Select(t => (JsonNode)new JsonObject
                    {
                        ["name"] = spellings[t!["slug"]!.GetValue<string>()] == 1 ? t["name"]!.DeepClone() : null,
                        ["slug"] = t["slug"]!.DeepClone(),
                    }).ToArray());
                    value!.AsArray().ToList().ForEach(t =>
                    {
                        if (spellings[t!["slug"]!.GetValue<string>()] != 1) t["name"] = null;
                    });
                }
                if (!JsonNode.DeepEquals(value, got))
                {
                    mismatches.Add($"{winner.Path}: {name} expected {value?.ToJsonString() ?? "null"}, served {got?.ToJsonString() ?? "absent"}");
                }
            }
            var extra = actual.Select(p => p.Key).Except(expected.Select(p => p.Key)).ToList();
            if (extra.Count > 0)
            {
                mismatches.Add($"{winner.Path}: served fields no document gives: {string.Join(", ", extra)}");
            }
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} mismatches, first 20:\n{string.Join('\n', mismatches.Take(20))}");
        Assert.True(served > 2_000, $"only {served} articles compared");
        // The cases this test exists for are in the data: documents of one provider with different images, and none.
        var logos = winners.Where(w => !w.Removed).GroupBy(w => w.ProviderDomain)
            .Select(g => g.Select(w => w.ProviderImages.FirstOrDefault()?["url"]?.GetValue<string>()).Distinct().Count());
        Assert.Contains(logos, n => n > 1);
    }

    private static readonly YamlScalarNode[] NoNodes = [];

    private static Document Parse(string path)
    {
        var lines = File.ReadAllText(path).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var end = lines.IndexOf("---", 1);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(string.Join('\n', lines[1..end])));
        return new Document(path, (YamlMappingNode)yaml.Documents[0].RootNode);
    }

    private sealed class Document(string path, YamlMappingNode root)
    {
        public string Path { get; } = path;
        public string Url { get; } = Identity.NormalizeUrl(Str(root, "webUrl")) ?? Identity.NormalizeUrl(Str(root, "originalUrl"))!;
        public DateTime PublishedAt { get; } = Date(Str(root, "publishedDateTime"))!.Value;
        public bool Removed { get; } = Str(root, "removed") == "true";
        public string ProviderDomain { get; } = Str(Map(root, "provider"), "domain")!.Trim().ToLowerInvariant();
        public List<JsonNode> ProviderImages { get; } = Images(Map(root, "provider"));
        public List<string> Topics { get; } = Items(root, "topics").Select(Str).OfType<string>()
            .Select(t => t.Trim()).Where(t => t.Length > 0).ToList();

        public JsonObject Expected(HashSet<string> held)
        {
            var provider = Map(root, "provider");
            return new JsonObject
            {
                ["id"] = Identity.PublicId(Url).ToString(),
                ["type"] = Str(root, "type")?.Trim() ?? "article",
                ["category"] = Str(root, "category"),
                ["title"] = Text(Str(root, "title")),
                ["excerpt"] = Text(Str(root, "excerpt")),
                ["publishedDateTime"] = JsonSerializer.SerializeToNode(PublishedAt),
                ["originalUrl"] = Identity.NormalizeUrl(Str(root, "originalUrl")),
                ["webUrl"] = Identity.NormalizeUrl(Str(root, "webUrl")),
                ["ampWebUrl"] = Identity.NormalizeUrl(Str(root, "ampWebUrl")),
                ["cdnAmpWebUrl"] = Identity.NormalizeUrl(Str(root, "cdnAmpWebUrl")),
                ["quality"] = Int(Str(root, "quality")),
                ["heat"] = Int(Str(root, "heat")) is { } heat and not -1 ? heat : null,
                ["published"] = Str(root, "published") is not "false",
                ["featuredContent"] = Str(root, "featuredContent"),
                ["provider"] = new JsonObject
                {
                    ["name"] = Str(provider, "name")?.Trim() ?? ProviderDomain,
                    ["domain"] = ProviderDomain,
                    ["logo"] = ProviderImages.FirstOrDefault()?.DeepClone(),
                    ["images"] = new JsonArray(ProviderImages.Select(i => i.DeepClone()).ToArray()),
                },
                ["topics"] = new JsonArray(Topics.DistinctBy(Identity.Slug)
                    .Select(t => (JsonNode)new JsonObject { ["name"] = t, ["slug"] = Identity.Slug(t) }).ToArray()),
                ["images"] = new JsonArray(Images(root).ToArray()),
                ["related"] = new JsonArray(Items(root, "related").Cast<YamlMappingNode>().Select(r =>
                {
                    var relatedProvider = Map(r, "provider");
                    var domain = Str(relatedProvider, "domain")?.Trim().ToLowerInvariant();
                    var webUrl = Identity.NormalizeUrl(Str(r, "webUrl"));
                    return (JsonNode)new JsonObject
                    {
                        ["title"] = Text(Str(r, "title")),
                        ["excerpt"] = Text(Str(r, "excerpt")),
                        ["publishedDateTime"] = Date(Str(r, "publishedDateTime")) is { } at ? JsonSerializer.SerializeToNode(at) : null,
                        ["webUrl"] = webUrl,
                        ["ampWebUrl"] = Identity.NormalizeUrl(Str(r, "ampWebUrl")),
                        ["cdnAmpWebUrl"] = Identity.NormalizeUrl(Str(r, "cdnAmpWebUrl")),
                        ["type"] = Str(r, "type")?.Trim(),
                        ["provider"] = domain is null ? null
                            : new JsonObject { ["name"] = Str(relatedProvider, "name")?.Trim() ?? domain, ["domain"] = domain },
                        ["quality"] = Int(Str(r, "quality")),
                        ["images"] = new JsonArray(Images(r).ToArray()),
                        ["articleId"] = webUrl is not null && held.Contains(webUrl) ? Identity.PublicId(webUrl).ToString() : null,
                    };
                }).ToArray()),
            };
        }

        private static List<JsonNode> Images(YamlMappingNode? owner) => Items(owner, "images").Cast<YamlMappingNode>()
            .Select(i => (JsonNode)new JsonObject
            {
                ["url"] = Identity.NormalizeUrl(Str(i, "url")),
                ["width"] = Int(Str(i, "width")),
                ["height"] = Int(Str(i, "height")),
                ["isCached"] = Str(i, "isCached") is { } cached ? bool.Parse(cached) : null,
                ["title"] = Text(Str(i, "title")),
            }).ToList();
    }

    private static YamlMappingNode? Map(YamlMappingNode? owner, string key) => Node(owner, key) as YamlMappingNode;

    private static IEnumerable<YamlNode> Items(YamlMappingNode? owner, string key) =>
        Node(owner, key) is YamlSequenceNode items ? items.Children : NoNodes;

    private static YamlNode? Node(YamlMappingNode? owner, string key) =>
        owner is not null && owner.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    private static string? Str(YamlMappingNode? owner, string key) => Str(Node(owner, key));

    // YAML's null: an empty, '~' or 'null' plain scalar.
    private static string? Str(YamlNode? node) => node is YamlScalarNode scalar
        && !(scalar.Style == ScalarStyle.Plain && scalar.Value is "" or "~" or "null" or "Null" or "NULL")
        ? scalar.Value : null;

    private static int? Int(string? value) => value is null ? null : int.Parse(value);

    private static DateTime? Date(string? value) => value is null ? null : DateTimeOffset.Parse(value).UtcDateTime;

    private static string? Text(string? value) => value is null ? null : WebUtility.HtmlDecode(value);
}
