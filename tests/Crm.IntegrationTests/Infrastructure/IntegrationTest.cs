using System.Data;
using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.IntegrationTests;
using Crm.SharedKernel.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Crm.IntegrationTests.Infrastructure;

/// <summary>Base of HTTP-level tests: a fresh client over clean tables, and helpers to read problem documents.</summary>
internal abstract class IntegrationTest
{
    protected static CrmApiFactory Factory => IntegrationTestRun.Factory;

    protected HttpClient Client { get; private set; } = null!;

    [SetUp]
    public async Task ResetAsync()
    {
        await IntegrationTestRun.ResetAsync();
        Client = Factory.CreateClient();
    }

    [TearDown]
    public void DisposeClient() => Client.Dispose();

    /// <summary>The endpoints this test called declare the headers they use (If-Match, ETag, Location, Prefer) truthfully.</summary>
    [TearDown]
    public void CheckHeaderContract()
    {
        var offences = HeaderContractGuard.Drain();
        Assert.That(offences, Is.Empty, "Endpoint header metadata differs from behaviour (fix the metadata where the endpoint is mapped):\n" + string.Join('\n', offences));
    }

    protected static async Task<JsonElement> ReadProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), body);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Multiple(() =>
        {
            Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo((int)expected));
            Assert.That(problem.GetProperty("type").GetString(), Does.StartWith("https://crm.local/problems/"));
            Assert.That(problem.GetProperty("title").GetString(), Is.Not.Empty);
            Assert.That(problem.GetProperty("detail").GetString(), Is.Not.Empty);
            Assert.That(problem.GetProperty("traceId").GetString(), Is.Not.Empty);
        });
        return problem;
    }

    protected static async Task<T> ReadAsync<T>(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), body);
        return JsonSerializer.Deserialize<T>(body, Json)!;
    }

    protected static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    protected static JsonContent JsonBody(object value) => JsonContent.Create(value, options: Json);

    /// <summary>What the outbox processor does in production (it is off in tests): drains every module's outbox.</summary>
    protected static async Task DispatchOutboxAsync()
    {
        foreach (var dispatcher in Factory.Services.GetServices<IOutboxDispatcher>())
        {
            while (await dispatcher.DispatchBatchAsync(CancellationToken.None) > 0)
            {
            }
        }
    }

    /// <summary>
    /// EXPLAIN of the SQL an EF query sends, run on the query's own DbContext connection: the text plan (one line per
    /// row), written to the test output with the SQL, for the plan tests to assert on the indexes it reads.
    /// </summary>
    protected static async Task<string> ExplainAsync(IQueryable query)
    {
        await using var command = query.CreateDbCommand();
        if (command.Connection!.State != ConnectionState.Open)
        {
            await command.Connection.OpenAsync();
        }

        return await ExplainAsync(command);
    }

    /// <summary>EXPLAIN of a SQL statement, on a connection of its own.</summary>
    protected static async Task<string> ExplainAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(IntegrationTestRun.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await ExplainAsync(command);
    }

    private static async Task<string> ExplainAsync(DbCommand command)
    {
        TestContext.Out.WriteLine(command.CommandText);
        command.CommandText = "EXPLAIN " + command.CommandText;
        var lines = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }
        }

        var plan = string.Join('\n', lines);
        TestContext.Out.WriteLine(plan);
        return plan;
    }

    protected static async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(IntegrationTestRun.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
