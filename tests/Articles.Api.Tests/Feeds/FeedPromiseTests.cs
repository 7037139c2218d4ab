using System.Xml.Linq;
using Articles.Testing;

namespace Articles.Api.Tests.Feeds;

// What README's partner section promises of every feed entry and response, checked on documents made for it.
public sealed class FeedPromiseTests : IAsyncLifetime, IDisposable
{
    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";
    private readonly TestDatabase _database = new();
    private readonly DocumentFolder _documents = new("promises.example");

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    public void Dispose() => _documents.Dispose();

    [Fact]
    public async Task Atom_carries_amphtml_drops_what_xml_cannot_carry_and_feeds_say_max_age_60()
    {
        // YAML's \x07 and \x1B escapes give the stored title a BEL and an ESC, which XML 1.0 cannot carry at all.
        var amp = _documents.Write("1.md", "Bell\\x07 and escape\\x1B in a title", "Gamma", new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc));
        File.WriteAllText(amp, File.ReadAllText(amp).Replace("webUrl: \"https://promises.example/1.md\"",
            "webUrl: \"https://promises.example/1.md\"\nampWebUrl: \"https://promises.example/amp/1.md\""));
        await _documents.IngestAsync(_database);
        using var api = ApiFactory.For(_database);
        var client = api.CreateClient();
        await using (var connection = await _database.DataSource.OpenConnectionAsync())
        {
            await using var stored = new Npgsql.NpgsqlCommand("SELECT title FROM articles", connection);
            Assert.Equal("Bell\u0007 and escape\u001B in a title", (string?)await stored.ExecuteScalarAsync());
        }

        foreach (var format in new[] { "atom", "rss", "json" })
        {
            using var response = await client.GetAsync($"/v1/topics/gamma/feed.{format}");
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("public, max-age=60", response.Headers.CacheControl?.ToString());
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain('\u0007', body);
            Assert.DoesNotContain("&#x7;", body);
            if (format != "json")
            {
                // Parses as XML 1.0, with the title less the two characters.
                var feed = XDocument.Parse(body);
                Assert.Contains(feed.Descendants().Where(e => e.Name.LocalName == "title"), t => t.Value == "Bell and escape in a title");
            }
        }
        var atom = XDocument.Parse(await client.GetStringAsync("/v1/topics/gamma/feed.atom"));
        var entry = Assert.Single(atom.Root!.Elements(Atom + "entry"));
        Assert.Contains(entry.Elements(Atom + "link"),
            l => (string?)l.Attribute("rel") == "amphtml" && (string?)l.Attribute("href") == "https://promises.example/amp/1.md");
    }
}
