using System.Diagnostics;
using Articles.Testing;

namespace Articles.Api.Tests;

// docker-compose.yml stays valid: there is no Docker engine here, but `docker-compose config` needs none.
public sealed class ComposeTests
{
    [Fact]
    public async Task The_compose_file_is_valid_and_runs_the_api_as_the_read_only_role()
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
            Assert.Contains("postgres:", config);
            Assert.Contains("ingest:", config);
            Assert.Contains("service_completed_successfully", config);
            Assert.Contains("Username=articles_api", config);
            Assert.Contains("create-roles.sh", config);
        }
    }
}
