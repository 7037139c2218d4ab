using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace Soak;

// One job run: when it started and ended (seconds into the soak), which feeds it gave a new newest article, and when
// its commits became visible: after Unchanged (the last time the change log was seen as before the run) and by
// Committed (the first time it was seen as the run left it).
sealed record Round(int Number, double Started, double Ended, double Unchanged, double Committed, int ExitCode, string Summary, HashSet<string> ChangedFeeds,
    int New, int Edited, int Moved, int Unpublished, int Removed, int TopicsChanged, int Hostile);

// Changes the job's directory between runs (new documents, edits, moves in time, unpublishing, removals, topic changes,
// a few hostile files) and runs the job on it, so it knows when each run committed what.
sealed class Driver(Settings settings, Recorder recorder, Shapes shapes, NpgsqlDataSource db)
{
    private readonly Random _random = new(17);
    // What the job reads: .NET would follow a link to a directory (and a link back to the corpus would edit it).
    private readonly List<string> _files = [.. Directory.EnumerateFiles(Path.Combine(settings.Docs, "base"), "*.md",
        new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint | FileAttributes.Hidden })
        .Order(StringComparer.Ordinal)];
    private readonly HashSet<string> _ended = [];   // unpublished or removed: never listed again, so walks can rely on it
    private readonly List<Round> _rounds = [];
    private static readonly string[] Words = ["soak", "season", "patch", "robotics", "market", "guide", "launch", "beta"];
    private static readonly string[] HostileKinds = ["no-front-matter", "unclosed", "nul", "duplicate-key", "alias", "bad-date"];

    public IReadOnlyList<Round> Rounds { get { lock (_rounds) { return [.. _rounds]; } } }

    public async Task RunAsync(CancellationToken stop)
    {
        for (var number = 1; ; number++)
        {
            var due = settings.JobEvery * (number - 0.5);
            if (due + settings.JobEvery / 2 > settings.Duration)
            {
                return;   // leave the last stretch to the walks and replicas that span the last run
            }
            if (!await recorder.WaitUntilAsync(due, stop))
            {
                return;
            }
            var round = await RunRoundAsync(number);
            lock (_rounds) { _rounds.Add(round); }
            if (round.ExitCode is not (0 or 1))
            {
                recorder.Fail($"job run {number} exited {round.ExitCode}: {round.Summary}");
            }
        }
    }

    private async Task<Round> RunRoundAsync(int number)
    {
        var changed = new HashSet<string>();
        var created = 0;
        var folder = Directory.CreateDirectory(Path.Combine(settings.Docs, "new", $"{number:000}")).FullName;
        // Every polled feed gets a new newest article each run, so each run changes every feed a poller holds.
        foreach (var topic in shapes.FeedTopics)
        {
            File.WriteAllText(Path.Combine(folder, $"t{created++:0000}.md"), NewDocument(number, created, [topic.Name, Pick(shapes.Topics).Name], Pick(shapes.Providers)));
            changed.Add(topic.Slug);
        }
        foreach (var provider in shapes.FeedProviders)
        {
            File.WriteAllText(Path.Combine(folder, $"p{created++:0000}.md"), NewDocument(number, created, [Pick(shapes.Topics).Name], provider));
            changed.Add(provider.Domain);
        }
        var extra = Math.Max(20, settings.Listed / 2000);
        for (var i = 0; i < extra; i++)
        {
            File.WriteAllText(Path.Combine(folder, $"n{created++:0000}.md"), NewDocument(number, created, [Pick(shapes.Topics).Name], Pick(shapes.Providers)));
        }
        var (moved, unpublished, removed, topics, edited) = (0, 0, 0, 0, 0);
        for (var i = 0; i < Math.Max(30, settings.Listed / 1000); i++)
        {
            var file = _files[_random.Next(_files.Count)];
            if (_ended.Contains(file))
            {
                continue;
            }
            var text = File.ReadAllText(file).Replace("\ntitle: \"", $"\ntitle: \"Edited {number}: ");
            switch (_random.Next(10))
            {
                case < 3:
                    var when = _random.Next(2) == 0 ? DateTime.UtcNow.AddMinutes(-_random.Next(1, 600)) : new DateTime(2001, 1, 1).AddDays(_random.Next(3000));
                    text = Regex.Replace(text, "\npublishedDateTime: .*\n", $"\npublishedDateTime: {Stamp(when)}\n");
                    moved++;
                    break;
                case 3:
                    text = SetFlag(text, "published", "false");
                    _ended.Add(file);
                    unpublished++;
                    break;
                case 4:
                    text = SetFlag(text, "removed", "true");
                    _ended.Add(file);
                    removed++;
                    break;
                case < 7:
                    text = Regex.Replace(text, "\ntopics:\n(  - .*\n)+", $"\ntopics:\n  - {Pick(shapes.Topics).Name}\n  - {Pick(shapes.Topics).Name}\n");
                    topics++;
                    break;
                default:
                    edited++;
                    break;
            }
            File.WriteAllText(file, text);
        }
        var hostile = WriteHostile(number);
        var before = await LastChangeAsync();
        var started = recorder.Now;
        var job = RunJobAsync();
        var seen = new List<(double At, long Seq)>();
        while (!job.IsCompleted)
        {
            seen.Add((recorder.Now, await LastChangeAsync()));
            await Task.WhenAny(job, Task.Delay(50));
        }
        var ended = recorder.Now;
        var (exit, summary) = await job;
        var after = await LastChangeAsync();
        seen.Add((recorder.Now, after));
        // The changes of this run's new articles (the ones that change the polled feeds), whichever batches held them.
        var (first, last) = await NewChangesAsync(number, before);
        var unchanged = seen.Where(s => s.Seq < first).Select(s => s.At).DefaultIfEmpty(started).Max();
        var committed = seen.First(s => s.Seq >= last || s.Seq == after).At;
        return new Round(number, started, ended, unchanged, committed, exit, summary, changed, created, edited, moved, unpublished, removed, topics, hostile);
    }

    private async Task<(long First, long Last)> NewChangesAsync(int number, long after)
    {
        await using var command = db.CreateCommand($"""
            SELECT coalesce(min(c.seq), 0), coalesce(max(c.seq), 0) FROM article_changes c JOIN articles a ON a.id = c.article_id
            WHERE c.seq > {after} AND a.canonical_url LIKE 'https://soak.example/{number}/%'
            """);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private Task<long> LastChangeAsync() => Shapes.LastChangeAsync(db);

    private async Task<(int Exit, string Summary)> RunJobAsync()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { settings.JobDll, "ingest", settings.Docs, "--connection", settings.ConnectionString })
        {
            start.ArgumentList.Add(argument);
        }
        using var job = Process.Start(start)!;
        var output = job.StandardOutput.ReadToEndAsync();
        var errors = job.StandardError.ReadToEndAsync();
        await job.WaitForExitAsync();
        var lines = ((await output) + (await errors)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var summary = lines.LastOrDefault(l => l.TrimStart().StartsWith("read ", StringComparison.Ordinal)) ?? lines.LastOrDefault() ?? "";
        return (job.ExitCode, summary.Trim());
    }

    // A few files the job must reject (and go on): each run adds some, and every run reads them all again.
    private int WriteHostile(int number)
    {
        var folder = Directory.CreateDirectory(Path.Combine(settings.Docs, "hostile")).FullName;
        for (var i = 0; i < 2; i++)
        {
            var kind = HostileKinds[(number * 2 + i) % HostileKinds.Length];
            var good = NewDocument(number, 9000 + i, [Pick(shapes.Topics).Name], Pick(shapes.Providers));
            var text = kind switch
            {
                "no-front-matter" => "just some text\nwith no front matter\n",
                "unclosed" => good.Replace("\ntitle: \"", "\ntitle: [\""),
                "nul" => good.Replace("\nexcerpt: \"", "\nexcerpt: \"\0"),
                "duplicate-key" => good.Replace("\ntype: article\n", "\ntype: article\ntype: video\n"),
                "alias" => good.Replace("\ncategory: news\n", "\ncategory: &a news\nsubcategory: *a\n"),
                _ => Regex.Replace(good, "\npublishedDateTime: .*\n", "\npublishedDateTime: not a date\n"),
            };
            File.WriteAllText(Path.Combine(folder, $"{number:000}-{kind}.md"), text, new UTF8Encoding(false));
        }
        return 2;
    }

    private string NewDocument(int round, int n, string[] topics, Provider provider)
    {
        var url = $"https://soak.example/{round}/{n}";
        var title = $"Soak {round}.{n} {string.Join(' ', Enumerable.Range(0, 5).Select(_ => Words[_random.Next(Words.Length)]))}";
        var builder = new StringBuilder()
            .Append("---\ncategory: news\n")
            .Append(CultureInfo.InvariantCulture, $"title: \"{title}\"\nexcerpt: \"An article the soak wrote in run {round}.\"\n")
            .Append(CultureInfo.InvariantCulture, $"publishedDateTime: {Stamp(DateTime.UtcNow.AddSeconds(-_random.Next(1, 30)))}\n")
            .Append(CultureInfo.InvariantCulture, $"originalUrl: \"{url}\"\nwebUrl: \"{url}\"\ntype: article\nquality: {_random.Next(20, 110)}\nheat: {_random.Next(0, 400)}\npublished: true\n")
            .Append(CultureInfo.InvariantCulture, $"\nprovider:\n  name: {provider.Name}\n  domain: {provider.Domain}\n\ntopics:\n");
        foreach (var topic in topics.Distinct())
        {
            builder.Append(CultureInfo.InvariantCulture, $"  - {topic}\n");
        }
        return builder.Append("---\n").ToString();
    }

    private static string SetFlag(string text, string key, string value) =>
        Regex.IsMatch(text, $"\n{key}: .*\n")
            ? Regex.Replace(text, $"\n{key}: .*\n", $"\n{key}: {value}\n")
            : text.Replace("\ncategory: news\n", $"\ncategory: news\n{key}: {value}\n");

    private static string Stamp(DateTime utc) => utc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];
}
