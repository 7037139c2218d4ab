using System.Text.Json.Nodes;

namespace Articles.Api.Tests.Contract;

// openapi.json under Redocly's recommended rules (tests/contract/redocly.yaml disables and downgrades none).
public sealed class LintTests
{
    // The warnings we keep, each with its reason; any other warning, and any error, fails.
    private static readonly Dictionary<(string Rule, string Pointer), string> Accepted = new()
    {
        [("info-license", "#/info")] = "No license has been chosen for this API; that is the owners' call, not the document's.",
        [("operation-4xx-response", "#/paths/~1health~1live/get/responses")] = "Liveness answers 200 whenever the process serves HTTP: it has no 4xx.",
        [("operation-4xx-response", "#/paths/~1health~1ready/get/responses")] = "Readiness answers 200 or 503, never a 4xx, and is not rate limited.",
    };

    [Fact]
    public async Task Openapi_json_passes_the_recommended_rules_with_only_the_accepted_warnings()
    {
        var (exit, output) = await ContractTools.RunAsync("redocly",
            "lint", ContractTools.OpenApi, "--config", Path.Combine(ContractTools.Folder, "redocly.yaml"), "--format=json");
        // The JSON report, without the banners Redocly prints around it.
        var report = JsonNode.Parse(output[output.IndexOf('{')..(output.LastIndexOf('}') + 1)])!;
        var problems = report["problems"]!.AsArray()
            .Select(p => (Rule: p!["ruleId"]!.GetValue<string>(), Severity: p["severity"]!.GetValue<string>(),
                Pointer: p["location"]![0]!["pointer"]!.GetValue<string>(), Message: p["message"]!.GetValue<string>()))
            .ToList();

        Assert.Empty(problems.Where(p => p.Severity == "error").Select(p => $"{p.Rule} at {p.Pointer}: {p.Message}"));
        Assert.Empty(problems.Where(p => !Accepted.ContainsKey((p.Rule, p.Pointer))).Select(p => $"{p.Rule} at {p.Pointer}: {p.Message}"));
        Assert.Equal(0, exit);
    }

    [Fact]
    public async Task The_lint_configuration_extends_recommended_and_changes_no_rule()
    {
        var config = await File.ReadAllTextAsync(Path.Combine(ContractTools.Folder, "redocly.yaml"));
        var lines = config.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Equal(["extends:", "- recommended"], lines);
    }
}
