using System.Net;
using Crm.IntegrationTests;
using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.Sample;

namespace Crm.IntegrationTests.Platform;

internal sealed class IdempotencyTests : IntegrationTest
{
    private Task<HttpResponseMessage> PostAsync(string? key, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/notes") { Content = JsonBody(body) };
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }

        return Client.SendAsync(request);
    }

    [Test]
    public async Task A_repeated_post_with_the_same_key_replays_the_first_response_and_creates_once()
    {
        var key = Guid.NewGuid().ToString();
        var first = await PostAsync(key, new { title = "报价跟进", priority = "high" });
        var second = await PostAsync(key, new { title = "报价跟进", priority = "high" });

        var firstNote = await ReadAsync<NoteItem>(first, HttpStatusCode.Created);
        var secondNote = await ReadAsync<NoteItem>(second, HttpStatusCode.Created);
        Assert.Multiple(async () =>
        {
            Assert.That(secondNote, Is.EqualTo(firstNote));
            Assert.That(second.Headers.Location, Is.EqualTo(first.Headers.Location));
            Assert.That(second.Headers.ETag, Is.EqualTo(first.Headers.ETag));
            Assert.That(second.Headers.GetValues("Idempotent-Replayed"), Is.EqualTo(new[] { "true" }));
            Assert.That(first.Headers.Contains("Idempotent-Replayed"), Is.False);
            Assert.That(await CountAsync("SELECT count(*) FROM sample_notes.notes"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task The_same_key_with_a_different_body_is_422()
    {
        var key = Guid.NewGuid().ToString();
        await ReadAsync<NoteItem>(await PostAsync(key, new { title = "one", priority = "low" }), HttpStatusCode.Created);

        var problem = await ReadProblemAsync(await PostAsync(key, new { title = "two", priority = "low" }), HttpStatusCode.UnprocessableEntity);

        Assert.Multiple(async () =>
        {
            Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/idempotency-key-reused"));
            Assert.That(await CountAsync("SELECT count(*) FROM sample_notes.notes"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Posts_without_a_key_are_not_deduplicated()
    {
        await ReadAsync<NoteItem>(await PostAsync(null, new { title = "same", priority = "low" }), HttpStatusCode.Created);
        await ReadAsync<NoteItem>(await PostAsync(null, new { title = "same", priority = "low" }), HttpStatusCode.Created);
        Assert.That(await CountAsync("SELECT count(*) FROM sample_notes.notes"), Is.EqualTo(2));
    }

    [Test]
    public async Task Keys_are_forgotten_after_their_lifetime()
    {
        var key = Guid.NewGuid().ToString();
        await ReadAsync<NoteItem>(await PostAsync(key, new { title = "day one", priority = "low" }), HttpStatusCode.Created);

        Factory.Time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        var later = await PostAsync(key, new { title = "day two", priority = "low" });

        Assert.That(later.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(later.Headers.Contains("Idempotent-Replayed"), Is.False);
        Assert.That(await CountAsync("SELECT count(*) FROM sample_notes.notes"), Is.EqualTo(2));
    }

    [Test]
    public async Task A_request_that_failed_does_not_use_up_its_key()
    {
        var key = Guid.NewGuid().ToString();
        await ReadProblemAsync(await PostAsync(key, new { title = "", priority = "low" }), HttpStatusCode.BadRequest);

        var retry = await PostAsync(key, new { title = "fixed", priority = "low" });

        Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.Created));
    }

    [Test]
    public async Task A_repeat_while_the_first_request_runs_is_409_with_retry_after()
    {
        var key = Guid.NewGuid().ToString();
        var body = new { title = "slow", priority = "low" };
        var hash = await ClaimAsInProgressAsync(key, body);
        Assert.That(hash, Is.Not.Empty);

        var response = await PostAsync(key, body);

        var problem = await ReadProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Multiple(() =>
        {
            Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/idempotency-request-in-progress"));
            Assert.That(response.Headers.RetryAfter, Is.Not.Null);
        });
    }

    [TestCase("has space")]
    [TestCase("非ASCII")]
    [TestCase("k123456789k123456789k123456789k123456789k123456789k123456789k123456789k123456789k123456789k123456789k123456789k123456789k123456789k123456789k123456789k123456789k123456789k123456789k123456789k123456789+")]
    public async Task An_invalid_key_is_400(string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/notes") { Content = JsonBody(new { title = "x", priority = "low" }) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);

        var problem = await ReadProblemAsync(await Client.SendAsync(request), HttpStatusCode.BadRequest);

        Assert.That(problem.GetProperty("errors").TryGetProperty("Idempotency-Key", out _), Is.True);
    }

    /// <summary>Simulates a first request still running: the claim row exists without a response.</summary>
    private static async Task<string> ClaimAsInProgressAsync(string key, object body)
    {
        var bytes = await JsonBody(body).ReadAsByteArrayAsync();
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes("POST /api/v1/notes\n"));
        sha.AppendData(bytes);
        var hash = Convert.ToHexStringLower(sha.GetHashAndReset());
        var now = Factory.Time.GetUtcNow();
        await using var connection = new Npgsql.NpgsqlConnection(IntegrationTestRun.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "INSERT INTO platform.idempotency_keys (scope, key, request_hash, created_at, expires_at) VALUES ('anonymous', $1, $2, $3, $4)", connection);
        command.Parameters.Add(new() { Value = key });
        command.Parameters.Add(new() { Value = hash });
        command.Parameters.Add(new() { Value = now });
        command.Parameters.Add(new() { Value = now.AddHours(24) });
        await command.ExecuteNonQueryAsync();
        return hash;
    }
}
