using System.Text;
using Articles.Ingest.Reading;
using Articles.Testing;
using Xunit.Abstractions;

namespace Articles.Ingest.Tests;

// SimpleYaml must read every document it accepts exactly as YamlDotNet does (values, styles, positions), and pass
// on everything else. The real documents show it accepts what the sites write; random ones probe its edges.
public sealed class SimpleYamlTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_real_document_it_reads_matches_YamlDotNet_and_it_reads_nearly_all_of_them()
    {
        var files = Directory.EnumerateFiles(Corpus.Directory, "*-*.md", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Corpus.Seeds, "*.md"))
            .Concat(Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures"), "*.md"))
            .ToList();
        var read = 0;
        foreach (var file in files)
        {
            var yaml = FrontMatter.Extract(File.ReadAllBytes(file));
            if (SimpleYaml.TryParse(yaml, 1) is { } simple)
            {
                Assert.True(Dump(YamlTree.ParseAny(yaml, 1)) == Dump(simple), $"{file} is read differently");
                read++;
            }
        }
        output.WriteLine($"SimpleYaml read {read} of {files.Count} documents; YamlDotNet the rest");
        Assert.True(files.Count > 2_000, $"only {files.Count} documents found");
        Assert.True(read >= files.Count * 0.99, $"SimpleYaml read only {read} of {files.Count} documents");
    }

    [Fact]
    public void Random_documents_it_reads_match_YamlDotNet_and_it_passes_on_the_rest()
    {
        var random = new Random(20261202);
        var (read, passed) = (0, 0);
        for (var n = 0; n < 20_000; n++)
        {
            var yaml = RandomDocument(random);
            var simple = SimpleYaml.TryParse(yaml, 1);
            if (simple is null)
            {
                passed++;
                continue;
            }
            string expected;
            try
            {
                expected = Dump(YamlTree.ParseAny(yaml, 1));
            }
            catch (DocumentException e)
            {
                Assert.Fail($"SimpleYaml read what YamlDotNet refuses ({e.Message}):\n{yaml}");
                return;
            }
            Assert.True(expected == Dump(simple), $"read differently:\n{yaml}\nYamlDotNet:\n{expected}\nSimpleYaml:\n{Dump(simple)}");
            read++;
        }
        output.WriteLine($"read {read}, passed on {passed}");
        // Both halves must be exercised, or the test proves nothing about one of them.
        Assert.True(read > 2_000 && passed > 2_000, $"read {read}, passed on {passed}");
    }

    [Theory]
    [InlineData("a: 1\n  b: 2\n")]
    [InlineData("a: x # comment\n")]
    [InlineData("a: [1, 2]\n")]
    [InlineData("a: |\n  text\n")]
    [InlineData("a: &x 1\n")]
    [InlineData("a:\n")]
    [InlineData("a: \"open\n  close\"\n")]
    [InlineData("a: 1\na: 2\n")]
    [InlineData("a:\n- 1\n")]
    [InlineData("a: \"\\ud83d\\ude00\"\n")]
    [InlineData("a: b: c\n")]
    [InlineData("a:\tb\n")]
    [InlineData("- a\n")]
    public void What_it_passes_on(string yaml) => Assert.Null(SimpleYaml.TryParse(yaml, 1));

    [Fact]
    public void What_it_reads()
    {
        var tree = SimpleYaml.TryParse("a: \"x\\\"y\\u00e9\"\r\nb:\r\n  - 'it''s'\r\n  - c: -1\r\n    d: Rock, Paper, Shotgun\r\n", 1);

        Assert.NotNull(tree);
        Assert.Equal("{@2:1 a=\"x\\\"yé\"@2:4 b=[@4:3 \"it's\"@4:5 {@5:5 c=-1@5:8 d=Rock, Paper, Shotgun@6:8}]}", Dump(tree!));
    }

    // Values with their style and position, keys in order: two trees are the same when their dumps are.
    private static string Dump(YamlNode node) => node switch
    {
        YamlScalar s => (s.Plain ? s.Value : $"\"{s.Value.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"") + At(s),
        YamlSequence q => $"[{At(q)}{string.Concat(q.Items.Select(i => " " + Dump(i)))}]",
        YamlMapping m => $"{{{At(m)}{string.Concat(m.Entries.Select(e => $" {e.Key}={Dump(e.Value)}"))}}}",
        _ => throw new ArgumentException(node.GetType().Name),
    };

    private static string At(YamlNode node) => $"@{node.Start.Line}:{node.Start.Column}";

    private static readonly string[] Keys = ["title", "a", "b", "isCached", "x_1", "\"q\"", "a b", "ünï", "-"];

    private static readonly string[] Values =
    [
        "plain words", "\"quoted\"", "\"a\\\"b\"", "\"a\\\\b\"", "\"a\\/b\"", "\"a\\nb\"", "\"\\r\\t\"", "\"\\u00e9\\u2028\"", "\"\\x41\"",
        "\"\\0\"", "\"\\q\"", "\"\\ud83d\"", "'a''b'", "''", "\"\"", "'it''s'", "'open",
        "\"open", "-1", "- x", "-", "a: b", "a:b", "http://x.example/a b", "[1, 2]", "{a: 1}", "&a x", "*a", "!t x", "|", ">",
        "null", "~", "", "Barron's", "a #b", "a# b", ":x", "?x", "%x", "@x", "`x", "😀 é", "trailing  ", "x\t", "\"a\" b",
        "'a' b", "#c", "a:", "\"\\u12\"", "Rock, Paper, Shotgun", "...", "---", "2015-01-02T00:00:00Z", "\"\\uD83D\\uDE00\"",
    ];

    // A random tree written the way the documents are, then, in most documents, one line bent out of shape.
    private static string RandomDocument(Random random)
    {
        var lines = new List<string>();
        Mapping(0, 1, first: null);
        if (random.Next(4) != 0)
        {
            var i = random.Next(lines.Count);
            lines[i] = random.Next(5) switch
            {
                0 => " " + lines[i],
                1 => lines[i].Length > 0 && lines[i][0] == ' ' ? lines[i][1..] : lines[i],
                2 => lines[i] + " " + Values[random.Next(Values.Length)],
                3 => new string(' ', random.Next(4)) + (random.Next(2) == 0 ? "# note" : ""),
                _ => new string(' ', random.Next(6)) + Values[random.Next(Values.Length)],
            };
        }
        var newline = random.Next(10) == 0 ? "\r\n" : "\n";
        return string.Concat(lines.Select(l => l + newline));

        string Value() => random.Next(4) == 0 ? Values[random.Next(Values.Length)] : $"v{random.Next(100)}";

        string Key(int i) => random.Next(12) == 0 ? Keys[random.Next(Keys.Length)] : $"k{i}";

        // first: the "- " that opens this mapping on its first line, inside a sequence.
        void Mapping(int indent, int depth, string? first)
        {
            var count = random.Next(1, 5);
            for (var i = 0; i < count; i++)
            {
                var lead = i == 0 && first is not null ? first : new string(' ', indent);
                var kind = depth < 4 ? random.Next(6) : 0;
                if (kind < 4)
                {
                    lines.Add($"{lead}{Key(i)}:{new string(' ', random.Next(1, 3))}{Value()}");
                    continue;
                }
                lines.Add($"{lead}{Key(i)}:");
                var inner = indent + random.Next(1, 4);
                if (kind == 4)
                {
                    Mapping(inner, depth + 1, null);
                }
                else
                {
                    Sequence(inner, depth + 1);
                }
            }
        }

        void Sequence(int indent, int depth)
        {
            var count = random.Next(1, 4);
            for (var i = 0; i < count; i++)
            {
                var dash = new string(' ', indent) + "-" + new string(' ', random.Next(1, 3));
                if (random.Next(2) == 0 && depth < 4)
                {
                    Mapping(dash.Length, depth + 1, dash);
                }
                else
                {
                    lines.Add(dash + Value());
                }
            }
        }
    }
}
