using System.Diagnostics;
using Articles.Testing;
using YamlDotNet.RepresentationModel;

namespace Articles.Api.Tests;

// docker-compose.yml stays valid: there is no Docker engine here, but `docker-compose config` needs none.
// The images are never built here either, so the services' own commands and environment are run directly.
public sealed class ComposeTests
{
    [Fact]
    public async Task The_compose_file_is_valid_and_runs_the_api_as_the_read_only_role()
    {
        var config = await ConfigAsync();
        Assert.Contains("postgres:", config);
        Assert.Contains("ingest:", config);
        Assert.Contains("service_completed_successfully", config);
        Assert.Contains("Username=articles_api", config);
        Assert.Contains("create-roles.sh", config);
    }

    [Fact]
    public async Task The_services_commands_and_environment_migrate_load_and_serve_when_run_directly()
    {
        var services = (YamlMappingNode)Yaml(await ConfigAsync())["services"];
        var ingest = (YamlMappingNode)services["ingest"];
        var api = (YamlMappingNode)services["api"];
        await using var database = new EmptyDatabase();
        await database.InitializeAsync();

        // The image's WORKDIR holds the published job, its /samples the repository's samples/; "postgres" is this test's server.
        var entrypoint = ((YamlSequenceNode)ingest["entrypoint"]).Select(n => n.ToString()).ToList();
        var job = new ProcessStartInfo(entrypoint[0]) { WorkingDirectory = AppContext.BaseDirectory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in entrypoint.Skip(1))
        {
            job.ArgumentList.Add(arg.Replace(" /samples", " " + Corpus.Samples));
        }
        foreach (var (key, value) in ServiceEnvironment(ingest, database))
        {
            job.Environment[key] = value;
        }
        using (var process = Process.Start(job)!)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"{await output}{errors}");
        }

        await using var server = await ApiProcess.StartAsync(ServiceEnvironment(api, database));
        using var client = new HttpClient { BaseAddress = server.Address };
        using var page = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("/v1/articles?limit=5"));
        Assert.Equal(5, page.RootElement.GetProperty("items").GetArrayLength());
    }

    // A service's environment as compose resolves it, with its database connection pointed at the test's.
    private static Dictionary<string, string> ServiceEnvironment(YamlMappingNode service, TestDatabase database) =>
        ((YamlMappingNode)service["environment"]).ToDictionary(
            e => e.Key.ToString(),
            e => e.Value.ToString().Contains("Host=postgres", StringComparison.Ordinal) ? database.ConnectionString : e.Value.ToString());

    private static YamlMappingNode Yaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static async Task<string> ConfigAsync()
    {
        var start = new ProcessStartInfo("docker-compose")
        {
            WorkingDirectory = Corpus.RepositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.ArgumentList.Add("config");
        Process compose;
        try
        {
            compose = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("docker-compose is not installed; test.sh installs it (apt-get install docker-compose)", e);
        }
        using (compose)
        {
            var config = await compose.StandardOutput.ReadToEndAsync();
            var errors = await compose.StandardError.ReadToEndAsync();
            await compose.WaitForExitAsync();

            Assert.True(compose.ExitCode == 0, errors);
            return config;
        }
    }
}
