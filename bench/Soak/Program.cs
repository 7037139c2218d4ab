using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Soak;

// The soak: a mixed open-loop read load, partners polling feeds and following /v1/changes, and the job every
// JOB_EVERY seconds on a directory that changes between runs; then the checks of bench/README.md. bench/soak.sh runs it.
//   Soak measure URL SECONDS     closed-loop maximum of one URL (32 connections), in requests/s
//   Soak run                     the soak, configured by the environment soak.sh sets
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
{
    Timeout = TimeSpan.FromSeconds(10),
};

if (args is ["measure", var url, var seconds])
{
    Console.WriteLine((await Measure.MaximumAsync(client, new Uri(url), double.Parse(seconds, CultureInfo.InvariantCulture))).ToString("0"));
    return 0;
}
if (args is not ["run"])
{
    Console.Error.WriteLine("usage: Soak measure URL SECONDS | Soak run");
    return 2;
}

var settings = Settings.FromEnvironment();
if (!new Uri(settings.Api).IsLoopback || settings.Duration is <= 0 or > 3600 || settings.Rate <= 0)
{
    Console.Error.WriteLine("loopback only, DURATION 1-3600 s, SOAK_RATE above 0");
    return 2;
}
client.BaseAddress = new Uri(settings.Api);
await using var db = NpgsqlDataSource.Create(settings.ConnectionString);
var shapes = await Shapes.LoadAsync(db, settings);
await Load.WarmUpAsync(client, shapes, settings.Keys);
var clock = new Stopwatch();   // started once everything is built: the schemas and the file list take seconds
var recorder = new Recorder(client, new Contract(settings.OpenApi), clock) { Bucket = settings.Duration >= 300 ? 60 : 10 };
using var stop = new CancellationTokenSource();

// The rate splits: cursor walks (8 walkers, paced to finish about 40 walks, 5-30% of the rate), 6% feed polls (2 pollers
// a feed), the rest independent requests.
var feeds = shapes.FeedTopics.SelectMany(t => new[] { "atom", "json", "rss" }.Select(f => (Feed: t.Slug, Path: $"/v1/topics/{t.Slug}/feed.{f}")))
    .Concat(shapes.FeedProviders.Select(p => (Feed: p.Domain, Path: $"/v1/providers/{p.Domain}/feed.atom"))).ToList();
var walkRate = Math.Clamp(40.0 * (settings.Listed / 100 + 1) / settings.Duration, settings.Rate * 0.05, settings.Rate * 0.30);
var walks = new Walks(recorder, db, walkRate / 8, settings.StaleBound);
var pollers = new Pollers(recorder, settings.Keys[^1], settings.Rate * 0.06 / (feeds.Count * 2));
var replicas = settings.Keys.Take(3).Select(key => new Replica(recorder, key)).ToList();
var driver = new Driver(settings, recorder, shapes, db);
var rss = new RssSampler(settings.ApiPid, recorder, client);
Console.WriteLine($"soak: {settings.Duration:0} s at {settings.Rate:0} req/s on {settings.Listed} listed articles; the job every {settings.JobEvery:0} s");
clock.Start();
stop.CancelAfter(TimeSpan.FromSeconds(settings.Duration));

var tasks = new List<Task> { driver.RunAsync(stop.Token), rss.RunAsync(stop.Token), Load.RunAsync(recorder, shapes, settings.Keys, settings.Rate * 0.94 - walkRate, stop.Token) };
tasks.AddRange(Enumerable.Range(0, 8).Select(_ => walks.WalkerAsync(stop.Token)));
tasks.AddRange(feeds.SelectMany(f => new[] { true, false }.Select(byETag => pollers.PollAsync(f.Feed, f.Path, byETag, stop.Token))));
tasks.AddRange(replicas.Select(r => r.FollowAsync(() => driver.Rounds.Count, stop.Token)));
await Task.WhenAll(tasks);
var loadSeconds = clock.Elapsed.TotalSeconds;
var completed = recorder.Completed;

// After the last run, each copy reads up to an empty page, past the staleness bound, then must equal the listed set.
await Task.Delay(TimeSpan.FromSeconds(settings.StaleBound + 1));
await Task.WhenAll(replicas.Select(r => r.CatchUpAsync()));
var listed = await Replica.ListedAsync(db);
var metrics = await client.GetStringAsync("/metrics");
return Report.Write(settings, recorder, driver.Rounds, walks.Results, pollers.Polls, replicas, listed, rss, metrics, completed, loadSeconds);
