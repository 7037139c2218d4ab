using System.Globalization;
using System.Text;

namespace Soak;

// The checks that fail the soak (each also fails when its sample is too small), written as markdown to SOAK_OUT.
static class Report
{
    public static int Write(Settings settings, Recorder recorder, IReadOnlyList<Round> rounds, IReadOnlyList<WalkResult> walks,
        IReadOnlyList<Poll> polls, List<Replica> replicas, Dictionary<string, string> listed, RssSampler rss, string metrics,
        long completed, double loadSeconds)
    {
        var checks = new List<(string What, string Measured, bool Passed)>();
        void Check(string what, string measured, bool passed) => checks.Add((what, measured, passed));

        var achieved = completed / loadSeconds;
        Check("achieved rate >= 95% of scheduled", $"{achieved:0} of {settings.Rate:0} req/s ({achieved / settings.Rate:P1})", achieved >= 0.95 * settings.Rate);
        Check("no 5xx", $"{recorder.ServerErrors}", recorder.ServerErrors == 0);
        Check("every response as the contract and its kind say", $"{recorder.FailureCount} not ({recorder.Requests.Values.Sum()} requests)", recorder.FailureCount == 0);
        var spanning = walks.Count(w => w.SpannedCommit);
        Check(">= 20 complete cursor walks spanning a job commit, each article once", $"{walks.Count} walks, {spanning} spanning a commit, " +
            $"{walks.Sum(w => w.Duplicates)} duplicates, {walks.Sum(w => w.Missing)} missed", spanning >= 20 && walks.All(w => w.Duplicates + w.Missing == 0));
        var crossing = walks.Count(w => w.MovedDuring > 0);
        Check(">= 1 walk crossing a moved article", $"{crossing} walks", crossing >= 1);
        var (afterChange, stale) = Pollers.Check(polls, rounds, settings.StaleBound);
        Check(">= 1,000 conditional GETs, >= 100 after their feed changed, no 304 later than the bound after the change",
            $"{polls.Count} conditional ({polls.Count(p => p.Status == 304)} 304), {afterChange} after a change, {stale.Count} stale (bound {settings.StaleBound} s)",
            polls.Count >= 1000 && afterChange >= 100 && stale.Count == 0);
        foreach (var (replica, i) in replicas.Select((r, i) => (r, i + 1)))
        {
            var difference = replica.Compare(listed);
            Check($"partner copy {i} through >= 8 job runs equals the listed set", $"{replica.RunsSeen} runs, {replica.Articles.Count} articles: " +
                (difference ?? "equal") + $" ({listed.Count} listed)", replica.RunsSeen >= 8 && difference is null);
        }
        var samples = rss.Samples;
        var reference = samples.FirstOrDefault(s => s.At >= Math.Min(120, settings.Duration / 2));   // minute 2: the cache has filled
        var end = samples.Count > 0 ? samples[^1] : default;
        Check("API RSS at the end <= 1.25x at minute 2 (half-time in a short run), and < 300 MB",
            $"{end.Megabytes:0} MB at {end.At:0} s, {reference.Megabytes:0} MB at {reference.At:0} s ({end.Megabytes / reference.Megabytes:0.00}x)",
            reference.Megabytes > 0 && end.Megabytes <= 1.25 * reference.Megabytes && end.Megabytes < 300);
        var timeouts = metrics.Split('\n').Where(l => l.StartsWith("db_client_connection_timeouts", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        var exhausted = settings.ApiLog.Length > 0 && File.Exists(settings.ApiLog)
            ? File.ReadLines(settings.ApiLog).Count(l => l.Contains("exhausted", StringComparison.OrdinalIgnoreCase)) : 0;
        var pools = string.Join(", ", rss.Pools.Select(p => $"{p.Key} peak {p.Value.PeakUsed} of {p.Value.Max} in use"));
        Check("the connection pool never refused a connection", $"{timeouts} pool timeouts, {exhausted} 'exhausted' log lines; {pools}",
            timeouts == 0 && exhausted == 0 && rss.Pools.Count > 0 && rss.Pools.Values.All(p => p.Max > 0 && p.PeakUsed < p.Max));
        var runs = rounds.Count(r => r.ExitCode is 0 or 1);
        Check("every job run completed (exit 0, or 1 for the hostile files)", $"{runs} of {rounds.Count}", runs == rounds.Count && rounds.Count > 0);

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Soak {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC: {settings.Duration:0} s, {settings.Listed} listed articles at the start, {settings.Rate:0} req/s scheduled, the job every {settings.JobEvery:0} s");
        text.AppendLine().AppendLine("| check | measured | |").AppendLine("|---|---|---|");
        foreach (var (what, measured, passed) in checks)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {what} | {measured} | {(passed ? "pass" : "**FAIL**")} |");
        }
        text.AppendLine().AppendLine("Requests by kind: " + string.Join(", ", recorder.Requests.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}")));
        text.AppendLine().AppendLine("| job run | began s | took s | committed by s | new | edited | moved | unpublished | removed | topics changed | hostile | job's summary |").AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rounds)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Number} | {r.Started:0.0} | {r.Ended - r.Started:0.0} | {r.Committed:0.0} | {r.New} | {r.Edited} | {r.Moved} | {r.Unpublished} | {r.Removed} | {r.TopicsChanged} | {r.Hostile} | {r.Summary.Replace("|", "/")} |");
        }
        var unit = recorder.Bucket == 60 ? "minute" : $"{recorder.Bucket:0} s";
        text.AppendLine().AppendLine($"Per {unit}: API RSS (MB, last sample) and p99 of every request (ms, from when it was due):").AppendLine("```");
        var all = recorder.Percentiles();
        foreach (var minute in all.Select(p => p.Minute).Distinct())
        {
            var megabytes = samples.Where(s => (int)(s.At / recorder.Bucket) <= minute).Select(s => s.Megabytes).LastOrDefault();
            var p99 = all.First(p => p.Minute == minute && p.Kind == "(all)").P99;
            text.AppendLine(CultureInfo.InvariantCulture, $"{minute * recorder.Bucket,5:0} s  RSS {megabytes,4:0} {new string('#', (int)(megabytes / 10)),-30}  p99 {p99,7:0.0} {new string('*', (int)Math.Min(40, Math.Log2(Math.Max(1, p99)) * 3))}");
        }
        text.AppendLine("```").AppendLine().AppendLine($"| {(recorder.Bucket == 60 ? "minute" : "from s")} | kind | requests | p50 ms | p99 ms |").AppendLine("|---|---|---|---|---|");
        foreach (var p in all)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {(recorder.Bucket == 60 ? p.Minute : p.Minute * recorder.Bucket)} | {p.Kind} | {p.Count} | {p.P50:0.0} | {p.P99:0.0} |");
        }
        if (recorder.Failures.Any() || stale.Count > 0)
        {
            text.AppendLine().AppendLine("First failures:").AppendLine("```");
            foreach (var failure in recorder.Failures.Concat(stale.Take(20)))
            {
                text.AppendLine(failure);
            }
            text.AppendLine("```");
        }
        File.WriteAllText(settings.Output, text.ToString());
        Console.WriteLine(text.ToString().Split("\nPer ")[0]);
        return checks.All(c => c.Passed) ? 0 : 1;
    }
}
