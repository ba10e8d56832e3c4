using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Crm.Modules.Integration.Contracts;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Integration.Features.Imports;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Crm.IntegrationTests.Integration;

/// <summary>Request helpers for imports and exports.</summary>
internal static class ImportApi
{
    public static readonly JsonSerializerOptions Json = Crm.IntegrationTests.Customers.CustomerApi.Json;

    public static Encoding Gb18030 => ImportEncodings.Resolve("gb18030")!;

    public static HttpContent Csv(string text, Encoding? encoding = null, bool bom = false)
    {
        encoding ??= new UTF8Encoding(false);
        var bytes = (bom ? encoding.GetPreamble() : []).Concat(encoding.GetBytes(text)).ToArray();
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv") { CharSet = encoding is UTF8Encoding ? "utf-8" : encoding.WebName };
        return content;
    }

    public static HttpContent Body(string text, string mediaType)
    {
        var content = new ByteArrayContent(new UTF8Encoding(false).GetBytes(text));
        content.Headers.TryAddWithoutValidation("Content-Type", mediaType);
        return content;
    }

    public static async Task<ImportReport> ImportAsync(HttpClient client, string entity, HttpContent content, string query = "")
    {
        var response = await client.PostAsync($"/api/v1/imports/{entity}{(query.Length > 0 ? "?" + query : string.Empty)}", content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return JsonSerializer.Deserialize<ImportReport>(body, Json)!;
    }

    public static Task<ImportReport> ImportCsvAsync(HttpClient client, string csv, string query = "", string entity = "customers") =>
        ImportAsync(client, entity, Csv(csv), query);

    /// <summary>
    /// A concurrent writer, deterministically: <paramref name="holdSql"/> runs in a transaction that stays open while
    /// <paramref name="import"/> starts; once the import waits on that transaction's row lock in an INSERT into
    /// <paramref name="table"/>, the transaction commits and the import's report is returned.
    /// </summary>
    public static Task<ImportReport> WhileInsertedConcurrentlyAsync(string holdSql, string table, Func<Task<ImportReport>> import) =>
        WhileHeldConcurrentlyAsync(holdSql, $"INSERT INTO {table}%", import);

    /// <summary>
    /// As <see cref="WhileInsertedConcurrentlyAsync"/> for any lock: <paramref name="holdSql"/> (one row) runs in a
    /// transaction that stays open while <paramref name="action"/> starts; once a statement like <paramref name="waitingQuery"/>
    /// (a LIKE pattern) waits on a lock, <paramref name="meanwhile"/> runs (say, an API call made while the action is in
    /// the middle of its work), the transaction commits and the action's result is returned.
    /// </summary>
    public static async Task<T> WhileHeldConcurrentlyAsync<T>(string holdSql, string waitingQuery, Func<Task<T>> action, Func<Task>? meanwhile = null)
    {
        await using var other = new NpgsqlConnection(IntegrationTestRun.ConnectionString);
        await other.OpenAsync();
        await using var held = await other.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand(holdSql, other, held))
        {
            Assert.That(await insert.ExecuteNonQueryAsync(), Is.EqualTo(1));
        }

        var running = Task.Run(action);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        await using var watch = new NpgsqlConnection(IntegrationTestRun.ConnectionString);
        await watch.OpenAsync();
        await using var waiting = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE @query", watch);
        waiting.Parameters.AddWithValue("query", waitingQuery);
        while ((long)(await waiting.ExecuteScalarAsync())! == 0 && !running.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.That(running.IsCompleted, Is.False, $"Nothing waited on the held transaction ({waitingQuery}).");
        if (meanwhile is not null)
        {
            await meanwhile();
        }

        await held.CommitAsync();
        return await running;
    }

    /// <summary>A host whose import worker does not run by itself, so a test runs jobs (and stops them between chunks) itself.</summary>
    public static CrmApiFactory HostWithoutWorker(int chunkSize) => new(IntegrationTestRun.ConnectionString, settings: new Dictionary<string, string?>
    {
        ["Integration:Imports:WorkerEnabled"] = "false",
        ["Integration:Imports:ChunkSize"] = chunkSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    /// <summary>What the worker does once: runs the oldest queued or interrupted job; false when there was none.</summary>
    public static async Task<bool> RunNextJobAsync(CrmApiFactory host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ImportJobProcessor>().RunNextAsync(CancellationToken.None);
    }

    public static async Task<ImportJobResponse> StartAsync(HttpClient client, string entity, HttpContent content, string query = "")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/imports/{entity}{(query.Length > 0 ? "?" + query : string.Empty)}") { Content = content };
        request.Headers.TryAddWithoutValidation("Prefer", "respond-async");
        var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), body);
        var job = JsonSerializer.Deserialize<ImportJobResponse>(body, Json)!;
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/api/v1/imports/{job.Id}"));
        return job;
    }

    public static async Task<ImportJobResponse> GetJobAsync(HttpClient client, Guid id)
    {
        var response = await client.GetAsync($"/api/v1/imports/{id}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return JsonSerializer.Deserialize<ImportJobResponse>(body, Json)!;
    }

    /// <summary>Polls the job until it finishes (the background worker runs it).</summary>
    public static async Task<ImportJobResponse> WaitAsync(HttpClient client, Guid id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var job = await GetJobAsync(client, id);
            if (job.FinishedAt is not null || DateTime.UtcNow > deadline)
            {
                return job;
            }

            await Task.Delay(100);
        }
    }

    public static async Task<string> ExportAsync(HttpClient client, string path, Encoding? encoding = null)
    {
        var response = await client.GetAsync(path);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), Encoding.UTF8.GetString(bytes));
        return (encoding ?? Encoding.UTF8).GetString(bytes);
    }
}
