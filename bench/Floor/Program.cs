// The leanest ASP.NET Core endpoints over the same database: a yardstick for the API's CPU per request and its
// req/s (bench/README.md, "The floor"). No middleware, validation, links or mapping: Npgsql and Utf8JsonWriter only.
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
    http.Response.ContentType = "application/json";
    await using (var json = new Utf8JsonWriter(http.Response.BodyWriter))
    {
        json.WriteStartArray();
        while (await reader.ReadAsync(http.RequestAborted))
        {
            json.WriteStartObject();
            for (var i = 0; i < reader.FieldCount; i++)
            {
                json.WritePropertyName(reader.GetName(i));
                WriteColumn(json, reader, i);
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
    await http.Response.BodyWriter.FlushAsync(http.RequestAborted);
});

app.Run();

// Typed reads, as the API's row reader does (no boxing).
static void WriteColumn(Utf8JsonWriter json, NpgsqlDataReader reader, int i)
{
    if (reader.IsDBNull(i))
    {
        json.WriteNullValue();
        return;
    }
    var type = reader.GetFieldType(i);
    if (type == typeof(string))
    {
        json.WriteStringValue(reader.GetString(i));
    }
    else if (type == typeof(string[]))
    {
        json.WriteStartArray();
        foreach (var value in reader.GetFieldValue<string[]>(i))
        {
            json.WriteStringValue(value);
        }
        json.WriteEndArray();
    }
    else if (type == typeof(DateTime))
    {
        json.WriteStringValue(reader.GetDateTime(i));
    }
    else if (type == typeof(Guid))
    {
        json.WriteStringValue(reader.GetGuid(i));
    }
    else if (type == typeof(bool))
    {
        json.WriteBooleanValue(reader.GetBoolean(i));
    }
    else if (type == typeof(long))
    {
        json.WriteNumberValue(reader.GetInt64(i));
    }
    else if (type == typeof(int))
    {
        json.WriteNumberValue(reader.GetInt32(i));
    }
    else if (type == typeof(short))
    {
        json.WriteNumberValue(reader.GetInt16(i));
    }
    else if (type == typeof(double))
    {
        json.WriteNumberValue(reader.GetDouble(i));
    }
    else
    {
        json.WriteStringValue(Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture));
    }
}
