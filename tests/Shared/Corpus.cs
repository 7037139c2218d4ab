namespace Articles.Testing;

// The real documents: ARTICLES_CORPUS, else tests/corpus in this repository (a copy of two sites' 2,285 documents).
public static class Corpus
{
    // The repository these tests were built from (where Articles.Api.sln is). Declared first: Find uses it.
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Directory { get; } = Find();

    // What run.sh loads: the five seed documents and a slice of the corpus.
    public static string Samples { get; } = Path.Combine(RepositoryRoot, "samples");

    // The five documents the project started from.
    public static string Seeds { get; } = Path.Combine(Samples, "seeds");

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("ARTICLES_CORPUS") is { Length: > 0 } configured)
        {
            return Path.GetFullPath(configured);
        }
        var corpus = Path.Combine(RepositoryRoot, "tests", "corpus");
        return System.IO.Directory.Exists(corpus)
            ? corpus
            : throw new DirectoryNotFoundException($"the corpus is expected at {corpus}");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Articles.Api.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("the repository root (Articles.Api.sln) was not found above the test binaries");
    }
}
