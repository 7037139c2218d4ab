using System.Text.Json;
using Articles.Data;
using Articles.Data.Articles;
using Dapper;

namespace Articles.Api.Tests;

// GET /v1/articles/{id}/similar on the real corpus.
[Collection(nameof(CorpusApi))]
public sealed class SimilarTests(CorpusApi api)
{
    private readonly HttpClient _client = api.Client;

    private static readonly string[] SiteTopics = ["diablo-4", "power-apps"];

    private static List<string> Slugs(JsonElement item) => item.GetProperty("topics").EnumerateArray().Select(t => t.Str("slug")).ToList();

    // Each site's documents nearly all carry its topic (Diablo 4, Power Apps), so two articles of one site share a topic
    // more often than not and twice that share cannot be reached: the measure is their other topics (Druid, Portals, ...).
    [Fact]
    public async Task Similar_articles_share_an_articles_own_topics_at_least_twice_as_often_as_random_ones()
    {
        await using var connection = await api.Database.DataSource.OpenConnectionAsync();
        var listed = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM articles WHERE listed");
        var articles = (await connection.QueryAsync<(Guid Id, string[] Topics, long Sharing)>("""
            SELECT a.public_id, array_agg(DISTINCT t.slug),
                (SELECT count(DISTINCT y.article_id) FROM article_topics y JOIN topics u ON u.id = y.topic_id
                 WHERE y.listed AND u.slug = ANY(array_agg(t.slug)))
            FROM articles a JOIN article_topics x ON x.article_id = a.id JOIN topics t ON t.id = x.topic_id
            WHERE a.listed AND t.slug <> ALL(@site) AND t.slug <> ''
            GROUP BY a.id, a.public_id ORDER BY a.public_id
            """, new { site = SiteTopics })).ToList();
        Assert.True(articles.Count >= 50, $"{articles.Count} articles with a topic besides their site's");

        var shared = 0;
        var shown = 0;
        var expected = 0.0;
        foreach (var (id, topics, sharing) in articles)
        {
            var similar = (await _client.JsonAsync($"/v1/articles/{id}/similar")).Items().ToList();
            Assert.DoesNotContain(similar, s => s.Str("id") == id.ToString());
            shown += similar.Count;
            shared += similar.Count(s => Slugs(s).Intersect(topics).Any());
            // A random other listed article shares one of them with this chance.
            expected += similar.Count * (sharing - 1) / (double)(listed - 1);
        }
        var share = shared / (double)shown;
        var random = expected / shown;
        Assert.True(shown >= 8 * articles.Count, $"{shown} similar articles for {articles.Count}");
        Assert.True(share >= 2 * random, $"similar share {share:F3}, random {random:F3}");
        Console.WriteLine($"similar: {articles.Count} articles, {shown} similar, share {share:F3}, random {random:F3}");
    }

    [Fact]
    public async Task Similar_articles_are_listed_ones_other_than_itself_up_to_the_limit()
    {
        var id = Identity.PublicId("https://interestingengineering.com/facial-recognition-comeback-clearview");

        var ten = (await _client.JsonAsync($"/v1/articles/{id}/similar")).Items().ToList();
        var three = (await _client.JsonAsync($"/v1/articles/{id}/similar?limit=3")).Items().ToList();

        Assert.Equal(10, ten.Count);
        Assert.Equal(ten.Take(3).Select(i => i.GetRawText()), three.Select(i => i.GetRawText()));
        Assert.DoesNotContain(ten, i => i.Str("id") == id.ToString());
        var listed = (await _client.JsonAsync($"/v1/articles?ids={string.Join(",", ten.Select(i => i.Str("id")))}")).Items();
        Assert.Equal(ten.Select(i => i.GetRawText()), listed.Select(i => i.GetRawText()));
    }

    // Ten words that 1 article in 100 or more hold between them: the newest 200 listed articles holding one are ranked
    // (from article_search), the same as the articles themselves give; an article with more matches than that, so the
    // choice shows. The words as the repository picks them: rarest by the statistics first, then in ordinal order
    // (articles with plain lexemes only, so that SQL's order is the same).
    [Fact]
    public async Task Common_words_rank_the_newest_articles_that_share_one()
    {
        await using var connection = await api.Database.DataSource.OpenConnectionAsync();
        var (id, self, rare, whole) = await connection.QuerySingleAsync<(Guid, long, string, string)>("""
            WITH f AS (SELECT e.word, e.frequency
                       FROM pg_stats s, unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) e(word, frequency)
                       WHERE s.tablename = 'articles' AND s.attname = 'search' AND e.word IS NOT NULL),
            w AS (SELECT a.public_id, a.id, x.word, coalesce(f.frequency, 0) AS frequency,
                         row_number() OVER (PARTITION BY a.id ORDER BY coalesce(f.frequency, 0), x.word COLLATE "C") AS n
                  FROM articles a CROSS JOIN unnest(tsvector_to_array(a.search)) x(word) LEFT JOIN f ON f.word = x.word
                  WHERE a.listed AND NOT EXISTS (SELECT 1 FROM unnest(tsvector_to_array(a.search)) y WHERE y !~ '^[a-z0-9]+$'))
            SELECT public_id, id, rare, whole FROM (
                SELECT public_id, id, string_agg(quote_literal(word), ' | ' ORDER BY n) FILTER (WHERE n <= 10) AS rare,
                       string_agg(quote_literal(word), ' | ' ORDER BY n) FILTER (WHERE n <= 20) AS whole,
                       sum(frequency) FILTER (WHERE n <= 10) AS share, count(*) AS words
                FROM w GROUP BY public_id, id) p
            WHERE share >= 0.01 AND words >= 10
              AND (SELECT count(*) FROM articles b WHERE b.listed AND b.search @@ p.rare::tsquery) > @candidates
            ORDER BY public_id LIMIT 1
            """, new { candidates = SimilarRepository.Candidates + 1 });
        var expected = await connection.QueryAsync<string>($"""
            SELECT c.public_id::text FROM (
                SELECT a.public_id, a.id, a.published_at, ts_rank(a.search, @whole::tsquery) AS rank FROM articles a
                WHERE a.listed AND a.search @@ @rare::tsquery AND a.id <> @self
                ORDER BY a.published_at DESC, a.id DESC LIMIT {SimilarRepository.Candidates}) c
            ORDER BY c.rank DESC, c.published_at DESC, c.id DESC LIMIT 10
            """, new { rare, whole, self });

        var similar = (await _client.JsonAsync($"/v1/articles/{id}/similar")).Items().Select(i => i.Str("id")).ToList();

        Assert.Equal(10, similar.Count);
        Assert.Equal(expected, similar);
    }

    [Fact]
    public async Task Unknown_removed_and_bad_limits_are_problems()
    {
        await _client.ProblemAsync($"/v1/articles/{Guid.NewGuid()}/similar", 404, "not-found");
        await _client.ProblemAsync("/v1/articles/not-a-uuid/similar", 404, "not-found");
        await _client.ProblemAsync($"/v1/articles/{Identity.PublicId("https://example.org/removed")}/similar", 410, "gone");
        var id = Identity.PublicId("https://example.org/related-a");
        await _client.ProblemAsync($"/v1/articles/{id}/similar?limit=0", 400, "invalid-parameter");
        await _client.ProblemAsync($"/v1/articles/{id}/similar?limit=51", 400, "invalid-parameter");
    }
}
