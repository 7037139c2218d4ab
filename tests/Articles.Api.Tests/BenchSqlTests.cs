using System.Text.RegularExpressions;
using Articles.Api.Articles;
using Articles.Data.Articles;
using Articles.Testing;

namespace Articles.Api.Tests;

// pgbench's side of the benchmark must run exactly what GET /v1/articles runs, or the ratio compares two different queries.
public sealed partial class BenchSqlTests
{
    [Fact]
    public void The_benchmarks_page_one_sql_is_the_statement_the_list_endpoint_runs()
    {
        var request = new ArticleListRequest();
        var (sql, _, _) = ArticleSql.List(new ArticlePageRequest(request.ToFilter(), request.SortValue, request.LimitValue + 1));

        var benchFile = File.ReadAllLines(Path.Combine(Corpus.RepositoryRoot, "bench", "sql", "articles_page1.sql"))
            .Where(line => !line.TrimStart().StartsWith("--"));

        Assert.Equal(Normalize(sql), Normalize(string.Join('\n', benchFile)));
    }

    private static string Normalize(string sql) => Whitespace().Replace(sql, " ").Trim().TrimEnd(';').Trim();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
