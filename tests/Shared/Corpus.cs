namespace Articles.Testing;

// The real documents: ARTICLES_CORPUS, else ../shared/corpus beside the repository as CI and developers have it.
public static class Corpus
{
    // The repository these tests were built from (where Articles.Api.sln is). Declared first: Find uses it.
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Directory { get; } = Find();

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("ARTICLES_CORPUS") is { Length: > 0 } configured)
        {
            return Path.GetFullPath(configured);
        }
        var corpus = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "corpus"));
        return System.IO.Directory.Exists(corpus)
            ? corpus
            : throw new DirectoryNotFoundException($"the corpus is expected at {corpus} (shared/ beside the repository)");
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
