using System.Net;
using System.Text;
using Crm.IntegrationTests;
using Crm.IntegrationTests.Infrastructure;

namespace Crm.IntegrationTests.Platform;

internal sealed class ProblemDetailsTests : IntegrationTest
{
    private static StringContent RawJson(string json) => new(json, Encoding.UTF8, "application/json");

    [Test]
    public async Task An_unknown_route_is_a_404_problem()
    {
        var problem = await ReadProblemAsync(await Client.GetAsync("/api/v1/no-such-thing"), HttpStatusCode.NotFound);
        Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/not-found"));
    }

    [Test]
    public async Task A_wrong_method_is_a_405_problem_with_an_allow_header()
    {
        var response = await Client.DeleteAsync("/api/v1/notes");
        var problem = await ReadProblemAsync(response, HttpStatusCode.MethodNotAllowed);
        Assert.Multiple(() =>
        {
            Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/method-not-allowed"));
            Assert.That(response.Content.Headers.Allow, Does.Contain("GET").And.Contain("POST"));
        });
    }

    [Test]
    public async Task Malformed_json_is_a_400_problem()
    {
        var problem = await ReadProblemAsync(await Client.PostAsync("/api/v1/notes", RawJson("{\"title\": ")), HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/malformed-json"));
    }

    [Test]
    public async Task A_value_of_the_wrong_type_is_a_400_naming_the_field()
    {
        var response = await Client.PostAsync("/api/v1/notes", RawJson("{\"title\": 5, \"priority\": \"low\"}"));
        var problem = await ReadProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").TryGetProperty("title", out _), Is.True, problem.ToString());
    }

    [Test]
    public async Task An_unknown_enum_value_is_a_400_naming_the_field()
    {
        var response = await Client.PostAsync("/api/v1/notes", RawJson("{\"title\": \"x\", \"priority\": \"urgent\"}"));
        var problem = await ReadProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").TryGetProperty("priority", out _), Is.True, problem.ToString());
    }

    [Test]
    public async Task An_enum_sent_as_a_number_is_a_400()
    {
        var response = await Client.PostAsync("/api/v1/notes", RawJson("{\"title\": \"x\", \"priority\": 2}"));
        await ReadProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task A_missing_body_is_a_400_problem()
    {
        var problem = await ReadProblemAsync(await Client.PostAsync("/api/v1/notes", RawJson(string.Empty)), HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("needs a JSON request body"));
    }

    [Test]
    public async Task A_lost_database_connection_is_a_503_with_retry_after()
    {
        var database = await TestDatabase.CreateAsync("outage");
        await using var factory = new CrmApiFactory(database);
        using var client = factory.CreateClient();
        Assert.That((await client.GetAsync("/api/v1/notes")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await using (var admin = new Npgsql.NpgsqlConnection(IntegrationTestRun.ConnectionString))
        {
            await admin.OpenAsync();
            await using var terminate = new Npgsql.NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1", admin);
            terminate.Parameters.Add(new() { Value = new Npgsql.NpgsqlConnectionStringBuilder(database).Database });
            await terminate.ExecuteScalarAsync();
        }

        var response = await client.GetAsync("/api/v1/notes");

        var problem = await ReadProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Multiple(() =>
        {
            Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/service-unavailable"));
            Assert.That(response.Headers.RetryAfter, Is.Not.Null);
        });
    }

    [Test]
    public async Task A_body_that_is_not_json_is_a_415_problem()
    {
        var response = await Client.PostAsync("/api/v1/notes", new StringContent("title=x", Encoding.UTF8, "text/plain"));
        var problem = await ReadProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/unsupported-media-type"));
    }

    [Test]
    public async Task A_body_over_the_limit_is_a_413_problem_and_nothing_is_stored()
    {
        var huge = "{\"title\": \"" + new string('x', 1024 * 1024 + 10) + "\", \"priority\": \"low\"}";
        var problem = await ReadProblemAsync(await Client.PostAsync("/api/v1/notes", RawJson(huge)), HttpStatusCode.RequestEntityTooLarge);
        Assert.Multiple(async () =>
        {
            Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/payload-too-large"));
            Assert.That(await CountAsync("SELECT count(*) FROM sample_notes.notes"), Is.Zero);
        });
    }

    [Test]
    public async Task An_endpoint_can_raise_its_own_body_limit()
    {
        var content = new ByteArrayContent(new byte[2 * 1024 * 1024]);
        var response = await Client.PostAsync("/api/v1/notes/upload", content);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_validation_failure_is_a_400_with_field_errors()
    {
        var response = await Client.PostAsync("/api/v1/notes", JsonBody(new { title = "", priority = "low" }));
        var problem = await ReadProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Multiple(() =>
        {
            Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/validation"));
            Assert.That(problem.GetProperty("errors").GetProperty("title").GetArrayLength(), Is.GreaterThan(0));
        });
    }

    [Test]
    public async Task A_query_parameter_of_the_wrong_type_is_a_400_naming_the_parameter()
    {
        var problem = await ReadProblemAsync(await Client.GetAsync("/api/v1/notes?limit=many"), HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").GetProperty("limit")[0].GetString(), Is.EqualTo("'many' is not a valid value for 'limit'."));
    }

    [Test]
    public async Task An_unhandled_exception_is_a_500_problem_without_internals()
    {
        var response = await Client.GetAsync("/api/v1/notes/fail");
        var body = await response.Content.ReadAsStringAsync();
        var problem = await ReadProblemAsync(response, HttpStatusCode.InternalServerError);
        Assert.Multiple(() =>
        {
            Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/internal-error"));
            Assert.That(body, Does.Not.Contain("secret internal detail"));
            Assert.That(body, Does.Not.Contain("InvalidOperationException"));
            Assert.That(body, Does.Not.Contain(" at "));
        });
    }

    [Test]
    public async Task A_unique_violation_of_a_raw_statement_is_a_409_problem_without_internals()
    {
        var response = await Client.GetAsync("/api/v1/notes/unique-race");
        var body = await response.Content.ReadAsStringAsync();
        var problem = await ReadProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Multiple(() =>
        {
            Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/conflict"));
            Assert.That(body, Does.Not.Contain("ix_secret"));
        });
    }

    [Test]
    public async Task An_unsupported_api_version_is_a_problem()
    {
        var response = await Client.GetAsync("/api/v2/notes");
        Assert.That((int)response.StatusCode, Is.InRange(400, 499));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [Test]
    public async Task Api_responses_name_the_supported_versions_and_other_paths_do_not()
    {
        var api = await Client.GetAsync("/api/v1/notes");
        var probe = await Client.GetAsync("/health/live");
        Assert.Multiple(() =>
        {
            Assert.That(api.Headers.GetValues("api-supported-versions"), Is.EqualTo(new[] { "1.0" }));
            Assert.That(probe.Headers.Contains("api-supported-versions"), Is.False);
        });
    }
}
