// The leanest ASP.NET Core endpoints over the same database: a yardstick for the API's CPU per request and its
// req/s (bench/README.md, "The floor"). No middleware, validation, links or mapping: Npgsql and Utf8JsonWriter only.
using System.Globalization;
using System.Text.Json;
using Npgsql;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
// The API's own connection settings (src/Articles.Api/DatabaseExtensions.cs): prepared statements, no reset.
var settings = new NpgsqlConnectionStringBuilder(builder.Configuration.GetConnectionString("Articles")
    ?? throw new InvalidOperationException("Set ConnectionStrings__Articles."))
{
    MaxAutoPrepare = 64,
    AutoPrepareMinUsages = 2,
    NoResetOnClose = true,
};
await using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
// The statement GET /v1/articles runs for page 1 (BenchSqlTests keeps the file in step with the API).
var page1 = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "articles_page1.sql"));
if (!page1.Contains("LIMIT 21", StringComparison.Ordinal))
{
    throw new InvalidOperationException("articles_page1.sql no longer reads 21 keys: ?rows= cannot replace its LIMIT.");
}
var app = builder.Build();

// One round trip for one value: what reaching the database costs at all.
app.MapGet("/select1", async (HttpContext http) =>
{
    await using var command = dataSource.CreateCommand("SELECT 1");
    var one = await command.ExecuteScalarAsync(http.RequestAborted);
    http.Response.ContentType = "application/json";
    await http.Response.WriteAsync($"{one}", http.RequestAborted);
});

// Page 1's statement (?rows=N reads N keys in place of 21), each row written as a JSON object of its columns.
app.MapGet("/page1", async (HttpContext http, int? rows) =>
{
    var sql = rows is > 0 and <= 1000 ? page1.Replace("LIMIT 21", $"LIMIT {rows}", StringComparison.Ordinal) : page1;
    await using var command = dataSource.CreateCommand(sql);
    await using var reader = await command.ExecuteReaderAsync(http.RequestAborted);
    // Each column's name and typed writer, found once a response rather than once a row.
    var columns = Enumerable.Range(0, reader.FieldCount)
        .Select(i => (Name: JsonEncodedText.Encode(reader.GetName(i)), Write: Writers.GetValueOrDefault(reader.GetFieldType(i), WriteText)))
        .ToArray();
    http.Response.ContentType = "application/json";
    await using (var json = new Utf8JsonWriter(http.Response.BodyWriter))
    {
        json.WriteStartArray();
        while (await reader.ReadAsync(http.RequestAborted))
        {
            json.WriteStartObject();
            for (var i = 0; i < columns.Length; i++)
            {
                json.WritePropertyName(columns[i].Name);
                if (reader.IsDBNull(i))
                {
                    json.WriteNullValue();
                }
                else
                {
                    columns[i].Write(json, reader, i);
                }
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
    await http.Response.BodyWriter.FlushAsync(http.RequestAborted);
});

app.Run();

// Typed reads by column type, as the API's row reader does (no boxing); any other type is written as text.
internal static partial class Program
{
    private static readonly Dictionary<Type, Action<Utf8JsonWriter, NpgsqlDataReader, int>> Writers = new()
    {
        [typeof(string)] = (json, reader, i) => json.WriteStringValue(reader.GetString(i)),
        [typeof(string[])] = (json, reader, i) => WriteStrings(json, reader.GetFieldValue<string[]>(i)),
        [typeof(DateTime)] = (json, reader, i) => json.WriteStringValue(reader.GetDateTime(i)),
        [typeof(Guid)] = (json, reader, i) => json.WriteStringValue(reader.GetGuid(i)),
        [typeof(bool)] = (json, reader, i) => json.WriteBooleanValue(reader.GetBoolean(i)),
        [typeof(long)] = (json, reader, i) => json.WriteNumberValue(reader.GetInt64(i)),
        [typeof(int)] = (json, reader, i) => json.WriteNumberValue(reader.GetInt32(i)),
        [typeof(short)] = (json, reader, i) => json.WriteNumberValue(reader.GetInt16(i)),
        [typeof(double)] = (json, reader, i) => json.WriteNumberValue(reader.GetDouble(i)),
    };

    private static void WriteText(Utf8JsonWriter json, NpgsqlDataReader reader, int i) =>
        json.WriteStringValue(Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture));

    private static void WriteStrings(Utf8JsonWriter json, string[] values)
    {
        json.WriteStartArray();
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }
        json.WriteEndArray();
    }
}
