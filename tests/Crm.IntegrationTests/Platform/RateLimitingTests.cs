using System.Net;
using System.Text.Json.Nodes;
using Crm.IntegrationTests;
using Crm.IntegrationTests.Infrastructure;

namespace Crm.IntegrationTests.Platform;

/// <summary>
/// Rate limits, on a host of its own with a low anonymous limit so the shared host's generous one stays
/// out of the way. Callers are anonymous (authentication is not wired yet); X-Forwarded-For, honoured
/// as behind a reverse proxy, gives them distinct client addresses.
/// </summary>
internal sealed class RateLimitingTests : IntegrationTest
{
    private const int Limit = 3;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private CrmApiFactory _limited = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public void StartLimitedHost() => _limited = new CrmApiFactory(IntegrationTestRun.ConnectionString, settings: new Dictionary<string, string?>
    {
        ["RateLimiting:Anonymous:PermitLimit"] = "3",
        ["RateLimiting:Anonymous:Window"] = "00:01:00",
        ["ForwardedHeaders_Enabled"] = "true",
    });

    [OneTimeTearDown]
    public void StopLimitedHost() => _limited.Dispose();

    [SetUp]
    public void StartFromFullBudgets()
    {
        // The windows opened by earlier tests have all ended.
        _limited.Time.Advance(Window);
        _client = _limited.CreateClient();
    }

    [TearDown]
    public void DisposeLimitedClient() => _client.Dispose();

    private Task<HttpResponseMessage> GetAsync(string path, string? clientAddress = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (clientAddress is not null)
        {
            request.Headers.Add("X-Forwarded-For", clientAddress);
        }

        return _client.SendAsync(request);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    private async Task UseUpBudgetAsync(string? clientAddress = null)
    {
        for (var i = 0; i < Limit; i++)
        {
            Assert.That((await GetAsync("/api/v1/notes", clientAddress)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
    }

    [Test]
    public async Task Responses_carry_rate_limit_headers_and_remaining_counts_down()
    {
        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < Limit; i++)
        {
            responses.Add(await GetAsync("/api/v1/notes"));
            _limited.Time.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Multiple(() =>
        {
            Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(responses.Select(r => Header(r, "RateLimit-Limit")), Is.All.EqualTo("3"));
            Assert.That(responses.Select(r => Header(r, "RateLimit-Policy")), Is.All.EqualTo("3;w=60"));
            Assert.That(responses.Select(r => Header(r, "RateLimit-Remaining")), Is.EqualTo(new[] { "2", "1", "0" }));
            Assert.That(responses.Select(r => Header(r, "RateLimit-Reset")), Is.EqualTo(new[] { "60", "50", "40" }));
            Assert.That(responses.Select(r => Header(r, "Retry-After")), Is.All.Null);
        });
    }

    [Test]
    public async Task The_request_over_the_limit_is_a_429_problem_with_retry_after()
    {
        await UseUpBudgetAsync();
        _limited.Time.Advance(TimeSpan.FromSeconds(15.5));

        var response = await GetAsync("/api/v1/notes");

        var problem = await ReadProblemAsync(response, HttpStatusCode.TooManyRequests);
        Assert.Multiple(() =>
        {
            Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/too-many-requests"));
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("3 requests per 1 minute").And.Contain("45 seconds"));
            Assert.That(problem.GetProperty("instance").GetString(), Is.EqualTo("/api/v1/notes"));
            Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(45)));
            Assert.That(Header(response, "RateLimit-Limit"), Is.EqualTo("3"));
            Assert.That(Header(response, "RateLimit-Remaining"), Is.EqualTo("0"));
            Assert.That(Header(response, "RateLimit-Reset"), Is.EqualTo("45"));
        });
    }

    [Test]
    public async Task Requests_pass_again_once_the_window_has_ended()
    {
        await UseUpBudgetAsync();
        await ReadProblemAsync(await GetAsync("/api/v1/notes"), HttpStatusCode.TooManyRequests);

        _limited.Time.Advance(Window);
        var response = await GetAsync("/api/v1/notes");

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Header(response, "RateLimit-Remaining"), Is.EqualTo("2"));
            Assert.That(Header(response, "RateLimit-Reset"), Is.EqualTo("60"));
        });
    }

    [Test]
    public async Task Errors_raised_by_the_endpoint_carry_the_headers_and_count()
    {
        var missing = await GetAsync($"/api/v1/notes/{Guid.CreateVersion7()}");
        var unknownRoute = await GetAsync("/api/v1/no-such-thing");

        await ReadProblemAsync(missing, HttpStatusCode.NotFound);
        await ReadProblemAsync(unknownRoute, HttpStatusCode.NotFound);
        Assert.Multiple(() =>
        {
            Assert.That(Header(missing, "RateLimit-Remaining"), Is.EqualTo("2"));
            Assert.That(Header(unknownRoute, "RateLimit-Remaining"), Is.EqualTo("1"));
        });
    }

    [Test]
    public async Task Health_endpoints_and_the_openapi_document_are_exempt()
    {
        await UseUpBudgetAsync();

        var responses = new[]
        {
            await GetAsync("/health/live"),
            await GetAsync("/health/ready"),
            await GetAsync("/swagger/v1/swagger.json"),
        };

        Assert.Multiple(() =>
        {
            Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(responses.Select(r => Header(r, "RateLimit-Limit")), Is.All.Null);
            Assert.That(responses.Select(r => Header(r, "RateLimit-Remaining")), Is.All.Null);
        });
    }

    [Test]
    public async Task Callers_from_different_addresses_have_separate_budgets()
    {
        await UseUpBudgetAsync("203.0.113.10");

        var sameCaller = await GetAsync("/api/v1/notes", "203.0.113.10");
        var otherCaller = await GetAsync("/api/v1/notes", "203.0.113.20");
        var otherNetwork = await GetAsync("/api/v1/notes", "2001:db8:1:2::10");
        var sameNetwork = await GetAsync("/api/v1/notes", "2001:db8:1:2::20");
        var noAddress = await GetAsync("/api/v1/notes");

        Assert.Multiple(() =>
        {
            Assert.That(sameCaller.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(otherCaller.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Header(otherCaller, "RateLimit-Remaining"), Is.EqualTo("2"));
            Assert.That(Header(otherNetwork, "RateLimit-Remaining"), Is.EqualTo("2"));
            Assert.That(Header(sameNetwork, "RateLimit-Remaining"), Is.EqualTo("1"), "IPv6 addresses of one /64 share a budget");
            Assert.That(Header(noAddress, "RateLimit-Remaining"), Is.EqualTo("2"));
        });
    }

    [Test]
    public async Task Every_limited_operation_documents_the_429_problem_and_its_headers()
    {
        var document = JsonNode.Parse(await Client.GetStringAsync("/swagger/v1/swagger.json"))!;

        var operations = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(operation => (Name: $"{operation.Key} {path.Key}", Responses: operation.Value!["responses"]!)))
            .ToList();

        Assert.That(operations, Is.Not.Empty);
        Assert.Multiple(() =>
        {
            foreach (var (name, responses) in operations)
            {
                var tooMany = responses["429"];
                Assert.That(tooMany?["content"]?["application/problem+json"]?["schema"]?["$ref"]?.GetValue<string>(), Is.EqualTo("#/components/schemas/ProblemDetails"), name);
                Assert.That(tooMany?["headers"]?.AsObject().Select(h => h.Key), Is.EquivalentTo(new[] { "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset" }), name);
            }
        });
    }

    [Test]
    public async Task Rate_limiting_can_be_switched_off()
    {
        await using var factory = new CrmApiFactory(IntegrationTestRun.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["RateLimiting:Enabled"] = "false",
            ["RateLimiting:Anonymous:PermitLimit"] = "1",
        });
        using var client = factory.CreateClient();

        var first = await client.GetAsync("/api/v1/notes");
        var second = await client.GetAsync("/api/v1/notes");

        Assert.Multiple(() =>
        {
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Header(first, "RateLimit-Limit"), Is.Null);
        });
    }

    [Test]
    public void An_invalid_limit_stops_start_up()
    {
        using var factory = new CrmApiFactory(IntegrationTestRun.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["RateLimiting:Users:PermitLimit"] = "0",
            ["RateLimiting:ApiKeys:Window"] = "00:00:00.500",
        });

        var failure = Assert.Catch(() => _ = factory.Server)!;

        Assert.That(
            failure.ToString(),
            Does.Contain("RateLimiting:Users:PermitLimit must be positive (was 0)")
                .And.Contain("RateLimiting:ApiKeys:Window must be a whole number of seconds"));
    }
}
