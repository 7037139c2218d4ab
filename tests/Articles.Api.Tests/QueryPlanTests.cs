using Articles.Data;
using Articles.Data.Articles;
using System.Text.Json.Nodes;
using Dapper;

namespace Articles.Api.Tests;

// How the repository steers PostgreSQL's plans, and that the steering leaves nothing behind.
[Collection(nameof(CorpusApi))]
public sealed class QueryPlanTests(CorpusApi api)
{
    [Fact]
    public async Task Plan_settings_stay_on_the_index_pool()
    {
        // One pooled connection, which the pool hands back as it was left (as with No Reset On Close in production).
        var settings = new Npgsql.NpgsqlConnectionStringBuilder(api.Database.ConnectionString) { MaxPoolSize = 1, NoResetOnClose = true };
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(settings.ConnectionString);
        await using var indexReads = ArticlesDatabase.CreateIndexReadSource(settings.ConnectionString, "test");
        var repository = new ArticleRepository(dataSource, indexReads);
        var filter = new ArticleFilter([], [], null, null, null, null, PublishedFilter.Published, null);
        var first = await repository.ListAsync(new ArticlePageRequest(filter, ArticleSort.Newest, 21), CancellationToken.None);

        var second = await repository.ListAsync(
            new ArticlePageRequest(filter, ArticleSort.Newest, 21, first[19].Keyset, ChangesSeen: first[0].ChangesSeen), CancellationToken.None);

        Assert.Equal(first[20].Id, second[0].Id);
        // A topic's walk runs on the index pool, whose sessions have sequential and bitmap scans off; the main pool's never do.
        var topic = filter with { Topics = [await api.Database.DataSource.CreateCommand("SELECT slug FROM topics ORDER BY article_count DESC LIMIT 1").ExecuteScalarAsync() as string ?? ""] };
        var page = await repository.ListAsync(new ArticlePageRequest(topic, ArticleSort.Newest, 21), CancellationToken.None);
        await repository.ListAsync(new ArticlePageRequest(topic, ArticleSort.Newest, 21, page[19].Keyset, ChangesSeen: page[0].ChangesSeen), CancellationToken.None);
        await repository.PageAsync(new ArticlePageRequest(topic with { Type = "article" }, ArticleSort.Newest, 20, Skip: 20), 10_000, null, CancellationToken.None);

        await using var connection = await dataSource.OpenConnectionAsync();   // the pool's only connection: the walks'
        Assert.Equal("auto", await connection.ExecuteScalarAsync<string>("SHOW plan_cache_mode"));
        Assert.Equal("on", await connection.ExecuteScalarAsync<string>("SHOW enable_seqscan"));
        Assert.Equal("on", await connection.ExecuteScalarAsync<string>("SHOW enable_bitmapscan"));
        await using var onIndex = await indexReads.OpenConnectionAsync();
        Assert.Equal("force_generic_plan", await onIndex.ExecuteScalarAsync<string>("SHOW plan_cache_mode"));
        Assert.Equal("off", await onIndex.ExecuteScalarAsync<string>("SHOW enable_seqscan"));
        Assert.Equal("off", await onIndex.ExecuteScalarAsync<string>("SHOW enable_bitmapscan"));
        Assert.Equal("off", await onIndex.ExecuteScalarAsync<string>("SHOW enable_memoize"));
    }

    [Fact]
    public async Task A_search_is_rare_only_when_every_word_is_and_none_is_negated()
    {
        await using var connection = await api.Database.DataSource.OpenConnectionAsync();
        // The most frequent word of the statistics that stems to itself, so the query names exactly that lexeme.
        var common = await connection.ExecuteScalarAsync<string>("""
            SELECT e FROM pg_stats s, unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) u(e, f)
            WHERE s.tablename = 'articles' AND s.attname = 'search' AND f >= 0.01
              AND tsvector_to_array(to_tsvector('english', e)) = ARRAY[e]
            ORDER BY f DESC LIMIT 1
            """);
        Assert.NotNull(common);
        var rare = await RareWordAsync(connection);

        var repository = api.Repository;
        async Task<bool> RareAsync(string q) => (await repository.PlanAsync(
            new ArticleFilter([], [], null, null, null, null, PublishedFilter.Published, q), CancellationToken.None)).RareSearch;

        Assert.False(await RareAsync(common));
        Assert.True(await RareAsync(rare));
        Assert.True(await RareAsync("zebraquagga"));
        Assert.True(await RareAsync($"{rare} zebraquagga"));
        Assert.False(await RareAsync($"zebraquagga OR {common}"));
        Assert.False(await RareAsync("-zebraquagga"));
        Assert.False(await RareAsync("the"));
        // Asked again, the remembered answer.
        Assert.True(await RareAsync("zebraquagga"));
        Assert.False(await RareAsync(common));
    }

    // A word in a few articles (well under 1 in 100) that stems to itself.
    private static async Task<string> RareWordAsync(Npgsql.NpgsqlConnection connection) =>
        (await connection.ExecuteScalarAsync<string>("""
            SELECT word FROM ts_stat('SELECT search FROM articles')
            WHERE ndoc BETWEEN 2 AND 5 AND word ~ '^[a-z]+$' AND tsvector_to_array(to_tsvector('english', word)) = ARRAY[word]
            ORDER BY word LIMIT 1
            """))!;

    [Fact]
    public async Task A_rare_search_finds_exactly_the_matching_articles()
    {
        await using var connection = await api.Database.DataSource.OpenConnectionAsync();
        foreach (var q in new[] { await RareWordAsync(connection), "zebraquagga" })
        {
            var expected = await connection.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM articles a WHERE a.listed AND a.search @@ websearch_to_tsquery('english', @q)", new { q });

            var page = await api.Client.JsonAsync($"/v1/articles?q={q}&page=1&limit=100");
            var relevance = await api.Client.JsonAsync($"/v1/articles?q={q}&sort=relevance&limit=100");

            Assert.Equal(expected, page.GetProperty("paging").GetProperty("totalItems").GetInt64());
            Assert.Equal(expected, page.Items().Count());
            Assert.Equal(expected, relevance.Items().Count());
        }
    }
}

// Every list shape with a time sort reads its page off one index, in order: at most the page's rows from each
// topic's or provider's range, on the first page and deep in a walk, whatever the share of the topic.
[Collection(nameof(CorpusApi))]
public sealed class IndexPlanTests(CorpusApi api)
{
    private const int Take = 21;

    public static TheoryData<string, string> Shapes => new()
    {
        { "largest topic", "article_topics_newest" },
        { "rare topic", "article_topics_newest" },
        { "two topics", "article_topics_newest" },
        { "largest provider", "articles_provider_newest" },
        { "two providers", "articles_provider_newest" },
        { "topic and provider", "article_topics_provider_newest" },
        { "unfiltered", "articles_listed_newest" },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task A_time_sorted_page_reads_its_rows_from_one_index_range_per_topic_or_provider(string shape, string index)
    {
        await using var connection = await api.Database.DataSource.OpenConnectionAsync();
        var topics = (await connection.QueryAsync<string>("SELECT slug FROM topics WHERE article_count > 20 ORDER BY article_count DESC, slug")).ToList();
        var providers = (await connection.QueryAsync<string>("SELECT domain FROM providers WHERE article_count > 20 ORDER BY article_count DESC, domain")).ToList();
        var pair = await connection.QueryFirstAsync<(string Topic, string Provider)>("""
            SELECT t.slug, p.domain FROM article_topics x JOIN topics t ON t.id = x.topic_id JOIN providers p ON p.id = x.provider_id
            WHERE x.listed GROUP BY t.slug, p.domain ORDER BY count(*) DESC, t.slug LIMIT 1
            """);
        var (topicFilter, providerFilter) = shape switch
        {
            "largest topic" => (topics[..1], []),
            "rare topic" => (topics[^1..], []),
            "two topics" => (topics[..2], []),
            "largest provider" => ([], providers[..1]),
            "two providers" => ([], providers[..2]),
            "topic and provider" => ([pair.Topic], [pair.Provider]),
            _ => (new List<string>(), new List<string>()),
        };
        var filter = new ArticleFilter(topicFilter, providerFilter, null, null, null, null, PublishedFilter.Published, null);
        var branches = Math.Max(1, topicFilter.Count) * Math.Max(1, providerFilter.Count);
        var repository = api.Repository;
        var first = await repository.ListAsync(new ArticlePageRequest(filter, ArticleSort.Newest, Take), CancellationToken.None);
        Assert.Equal(Take, first.Count);

        foreach (var request in new[]
        {
            new ArticlePageRequest(filter, ArticleSort.Newest, Take),
            new ArticlePageRequest(filter, ArticleSort.Newest, Take, first[^1].Keyset, ChangesSeen: first[0].ChangesSeen),
            new ArticlePageRequest(filter, ArticleSort.Oldest, Take),
        })
        {
            var (sql, args, onIndex) = ArticleSql.List(request);
            // The page's statement explained, on the pool the repository runs it on.
            var explained = sql.Insert(sql.IndexOf("SELECT ", StringComparison.Ordinal), "EXPLAIN (ANALYZE, FORMAT JSON) ");
            await using var pooled = await (onIndex ? api.IndexReads : api.Database.DataSource).OpenConnectionAsync();
            var plan = JsonNode.Parse(await pooled.ExecuteScalarAsync<string>(explained, args) ?? "")![0]!["Plan"]!;
            var scans = Nodes(plan).Where(n => n["Index Name"]?.GetValue<string>() == index).ToList();
            Assert.True(scans.Count > 0, $"{shape}: no scan of {index} in\n{plan}");
            var read = scans.Sum(n => n["Actual Rows"]!.GetValue<double>() * n["Actual Loops"]!.GetValue<double>());
            Assert.True(read <= Take * branches, $"{shape}: {read} rows read from {index} for a page of {Take}\n{plan}");
            Assert.DoesNotContain(Nodes(plan), n => n["Node Type"]!.GetValue<string>() is "Seq Scan" or "Bitmap Heap Scan"
                && n["Relation Name"]?.GetValue<string>() is "articles" or "article_topics");
            // The index-read pool's generic plans would cache each of the page's articles once (all misses) without enable_memoize=off.
            Assert.True(!onIndex || Nodes(plan).All(n => n["Node Type"]!.GetValue<string>() != "Memoize"), $"{shape}: a Memoize node in\n{plan}");
            Assert.Equal(await ExpectedAsync(connection, request), (await repository.ListAsync(request, CancellationToken.None)).Select(r => r.Id));
        }
    }

    // A common word's newest-first page and its relevance page run on the index-read pool: one generic plan along a
    // newest-first index, with the search text parsed once for the statement (a generic plan would parse it for every row).
    [Fact]
    public async Task A_common_search_reads_the_newest_first_index_and_parses_its_words_once()
    {
        await using var connection = await api.Database.DataSource.OpenConnectionAsync();
        var common = await connection.ExecuteScalarAsync<string>("""
            SELECT word FROM ts_stat('SELECT search FROM articles WHERE listed')
            WHERE word ~ '^[a-z]{4,}$' AND tsvector_to_array(to_tsvector('english', word)) = ARRAY[word]
            ORDER BY ndoc DESC, word LIMIT 1
            """) ?? "";   // letters only, so it can be written into EXECUTE's text below
        var filter = await api.Repository.PlanAsync(
            new ArticleFilter([], [], null, null, null, null, PublishedFilter.Published, common), CancellationToken.None);
        Assert.False(filter.RareSearch);

        foreach (var request in new[] { new ArticlePageRequest(filter, ArticleSort.Newest, Take), new ArticlePageRequest(filter, ArticleSort.Relevance, Take) })
        {
            var (sql, _, onIndex) = ArticleSql.List(request);
            Assert.True(onIndex, $"{request.Sort}: not on the index-read pool");
            // Prepared, so that EXPLAIN shows the pool's generic plan (a statement explained with its values is planned for them).
            await using var pooled = await api.IndexReads.OpenConnectionAsync();
            // Parallel workers made free, as a large table kept in index order makes them look: the pool must still not use them.
            string[] free = ["parallel_setup_cost", "parallel_tuple_cost", "min_parallel_index_scan_size", "min_parallel_table_scan_size"];
            await pooled.ExecuteAsync(string.Concat(free.Select(s => $"SET {s} = 0;")));
            await pooled.ExecuteAsync($"PREPARE common_search(text) AS {sql.Replace("@search", "$1")}");
            var plan = JsonNode.Parse(await pooled.ExecuteScalarAsync<string>($"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE common_search('{common}')") ?? "")![0]!["Plan"]!;
            await pooled.ExecuteAsync("DEALLOCATE common_search;" + string.Concat(free.Select(s => $"RESET {s};")));
            // Relevance finds its candidates in the narrow copy of the search vectors, in the same order.
            var index = request.Sort == ArticleSort.Relevance ? "article_search_newest" : "articles_listed_newest";
            var scan = Assert.Single(Nodes(plan), n => n["Index Name"]?.GetValue<string>() == index);
            Assert.DoesNotContain("websearch_to_tsquery", scan["Filter"]!.GetValue<string>());
            Assert.DoesNotContain(Nodes(plan), n => n["Node Type"]!.GetValue<string>() is "Seq Scan" or "Bitmap Heap Scan" or "Gather" or "Gather Merge");
        }
        var newest = await connection.QueryAsync<long>("""
            SELECT a.id FROM articles a WHERE a.listed AND a.search @@ websearch_to_tsquery('english', @common)
            ORDER BY a.published_at DESC, a.id DESC LIMIT 21
            """, new { common });
        Assert.Equal(newest, (await api.Repository.ListAsync(new ArticlePageRequest(filter, ArticleSort.Newest, Take), CancellationToken.None)).Select(r => r.Id));
        // The copy ranks what the articles themselves would.
        var ranked = await connection.QueryAsync<long>($"""
            SELECT c.id FROM (SELECT a.id, ts_rank(a.search, q) AS rank FROM articles a, websearch_to_tsquery('english', @common) q
                              WHERE a.listed AND a.search @@ q ORDER BY a.published_at DESC, a.id DESC LIMIT {ArticleSql.RelevanceCandidates}) c
            ORDER BY c.rank DESC, c.id DESC LIMIT {Take}
            """, new { common });
        Assert.Equal(ranked, (await api.Repository.ListAsync(new ArticlePageRequest(filter, ArticleSort.Relevance, Take), CancellationToken.None)).Select(r => r.Id));
    }

    // More like this takes its candidates in a fixed order, so an article shows the same ones on every request: common
    // words read article_search newest first (the pool's generic plan); rarer ones a bitmap scan in table order, never a
    // sequential scan (on a large table it starts where the last one stopped) nor a parallel one. Here both with an
    // article's commonest words, for which a sequential scan would be the cheapest.
    [Fact]
    public async Task Similar_articles_are_found_in_a_fixed_order()
    {
        await using var connection = await api.Database.DataSource.OpenConnectionAsync();
        var (self, words) = await connection.QuerySingleAsync<(long, string[])>("""
            SELECT a.id, array(SELECT s.word FROM ts_stat('SELECT search FROM articles') s
                               WHERE s.word = ANY(tsvector_to_array(a.search)) AND s.word ~ '^[a-z]+$' ORDER BY s.ndoc DESC, s.word LIMIT 10)
            FROM articles a WHERE a.listed ORDER BY length(a.search) DESC, a.id LIMIT 1
            """);
        var rare = string.Join(" | ", words.Select(w => $"'{w}'"));

        await using var pooled = await api.IndexReads.OpenConnectionAsync();
        var parameters = SimilarRepository.NewestSharing.Replace("@self", "$1").Replace("@rare", "$2").Replace("@whole", "$3").Replace("@limit", "$4");
        await pooled.ExecuteAsync($"PREPARE newest_sharing(bigint, text, text, int) AS {parameters}");
        var newest = JsonNode.Parse(await pooled.ExecuteScalarAsync<string>(
            $"EXPLAIN (FORMAT JSON) EXECUTE newest_sharing({self}, '{rare.Replace("'", "''")}', '{rare.Replace("'", "''")}', 10)") ?? "")![0]!["Plan"]!;
        await pooled.ExecuteAsync("DEALLOCATE newest_sharing");
        Assert.Single(Nodes(newest), n => n["Index Name"]?.GetValue<string>() == "article_search_newest");
        Assert.DoesNotContain(Nodes(newest), n => n["Node Type"]!.GetValue<string>() is "Seq Scan" or "Bitmap Heap Scan" or "Gather" or "Gather Merge");

        await connection.ExecuteAsync(string.Concat(SimilarRepository.FixedOrder.Select(s => $"SET {s};")));
        var any = JsonNode.Parse(await connection.ExecuteScalarAsync<string>(
            $"EXPLAIN (FORMAT JSON) {SimilarRepository.AnySharing}", new { self, rare, whole = rare, limit = 10 }) ?? "")![0]!["Plan"]!;
        await connection.ExecuteAsync("RESET enable_seqscan; RESET max_parallel_workers_per_gather");
        Assert.Contains(Nodes(any), n => n["Node Type"]!.GetValue<string>() == "Bitmap Heap Scan");
        Assert.DoesNotContain(Nodes(any), n => n["Node Type"]!.GetValue<string>() is "Seq Scan" or "Gather" or "Gather Merge");
    }

    // fields= that leave out the provider and the image leave their joins out of the plan, not only out of the body.
    [Fact]
    public async Task A_list_that_shows_fewer_summary_parts_reads_fewer_tables()
    {
        var everything = new ArticleFilter([], [], null, null, null, null, PublishedFilter.Published, null);
        var (sql, args, _) = ArticleSql.List(new ArticlePageRequest(everything, ArticleSort.Newest, Take));
        await using var connection = await api.Database.DataSource.OpenConnectionAsync();

        async Task<List<string?>> TablesAsync(SummaryParts shown)
        {
            var statement = ArticleSql.Showing(sql, shown);
            var plan = JsonNode.Parse(await connection.ExecuteScalarAsync<string>("EXPLAIN (FORMAT JSON) " + statement, args) ?? "")![0]!["Plan"]!;
            return Nodes(plan).Select(n => n["Relation Name"]?.GetValue<string>()).Where(r => r is not null).Distinct().ToList();
        }

        var all = await TablesAsync(SummaryParts.All);
        var thin = await TablesAsync(SummaryParts.None);
        Assert.Contains("providers", all);
        Assert.Contains("article_images", all);
        Assert.DoesNotContain("providers", thin);
        Assert.DoesNotContain("article_images", thin);
        Assert.Contains("article_images", await TablesAsync(SummaryParts.Image));
    }

    [Fact]
    public async Task Totals_are_counted_up_to_the_bound_unless_the_job_keeps_them()
    {
        var repository = api.Repository;
        var everything = new ArticleFilter([], [], null, null, null, null, PublishedFilter.Published, null);
        await using var connection = await api.Database.DataSource.OpenConnectionAsync();
        var listed = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM articles WHERE listed");
        var topic = await connection.QueryFirstAsync<(string Slug, long Count)>(
            "SELECT t.slug, count(*) FROM article_topics x JOIN topics t ON t.id = x.topic_id WHERE x.listed GROUP BY t.slug ORDER BY 2 DESC LIMIT 1");
        async Task<(long, bool)> TotalAsync(ArticleFilter filter, int upTo)
        {
            var (_, total, exact) = await repository.PageAsync(new ArticlePageRequest(filter, ArticleSort.Newest, 10, Skip: 10), upTo, null, CancellationToken.None);
            return (total, exact);
        }

        // Kept by the job: exact at any size.
        Assert.Equal((listed, true), await TotalAsync(everything, 100));
        Assert.Equal((topic.Count, true), await TotalAsync(everything with { Topics = [topic.Slug] }, 100));
        // Counted: exact up to the bound, else the bound as a lower bound.
        var articles = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM articles WHERE listed AND type = 'article'");
        Assert.Equal((articles, true), await TotalAsync(everything with { Type = "article" }, 10_000));
        Assert.Equal((100L, false), await TotalAsync(everything with { Type = "article" }, 100));
        Assert.Equal((100L, false), await TotalAsync(everything with { Topics = [topic.Slug], Type = "article" }, 100));
    }

    // The same page by brute force: every listed article of the topics and providers, sorted.
    private static async Task<List<long>> ExpectedAsync(Npgsql.NpgsqlConnection connection, ArticlePageRequest request)
    {
        var direction = request.Sort == ArticleSort.Newest ? "DESC" : "ASC";
        var sql = $"""
            SELECT a.id FROM articles a
            WHERE a.listed
              AND (cardinality(@topics) = 0 OR EXISTS (SELECT 1 FROM article_topics x JOIN topics t ON t.id = x.topic_id
                   WHERE x.article_id = a.id AND t.slug = ANY(@topics)))
              AND (cardinality(@providers) = 0 OR a.provider_id IN (SELECT id FROM providers WHERE domain = ANY(@providers)))
              AND (NOT @walk OR (a.published_at, a.id) {(direction == "DESC" ? "<" : ">")} (@time, @id))
            ORDER BY a.published_at {direction}, a.id {direction} LIMIT {request.Take}
            """;
        return (await connection.QueryAsync<long>(sql, new
        {
            topics = request.Filter.Topics.ToArray(), providers = request.Filter.Providers.ToArray(), walk = request.After is not null,
            time = request.After?.PublishedAt ?? DateTime.UnixEpoch, id = request.After?.Id ?? 0,
        })).ToList();
    }

    private static IEnumerable<JsonNode> Nodes(JsonNode plan) =>
        new[] { plan }.Concat((plan["Plans"]?.AsArray() ?? []).SelectMany(p => Nodes(p!)));
}
