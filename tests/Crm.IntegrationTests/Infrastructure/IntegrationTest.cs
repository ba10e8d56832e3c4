using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.IntegrationTests;
using Crm.SharedKernel.Outbox;
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

    protected static async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(IntegrationTestRun.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
