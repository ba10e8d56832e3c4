using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Integration.Domain;
using Crm.Modules.Integration.Features.Imports;
using Npgsql;
using static Crm.IntegrationTests.Integration.ImportApi;

namespace Crm.IntegrationTests.Integration;

/// <summary>GET /imports/{id} answers the job's ETag, which changes with its progress, and honours If-None-Match.</summary>
internal sealed class ImportJobETagTests : IntegrationTest
{
    private static CrmApiFactory _host = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public void StartHost() => _host = HostWithoutWorker(2);

    [OneTimeTearDown]
    public async Task StopHostAsync() => await _host.DisposeAsync();

    [SetUp]
    public async Task SignInAsync() => _client = _host.ClientFor(await TestUsers.CreateAsync(_host, Roles.SalesRep));

    [TearDown]
    public void DisposeHostClient() => _client.Dispose();

    private async Task<HttpResponseMessage> GetAsync(Guid id, string? ifNoneMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/imports/{id}");
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        return await _client.SendAsync(request);
    }

    [Test]
    public async Task The_jobs_etag_changes_with_its_progress_and_a_current_copy_is_answered_304()
    {
        var job = await StartAsync(_client, "customers", Csv("kind,name,externalId\norganization,甲,E-1\norganization,乙,E-2\norganization,丙,E-3\n"));
        var queued = await GetAsync(job.Id);
        var queuedETag = queued.Headers.ETag!.ToString();
        var unchanged = await GetAsync(job.Id, queuedETag);

        // A committed chunk moves the job's progress (the worker's update of the row, as the resume tests simulate it; the
        // old heartbeat lets the worker pick the job up again below).
        await using (var connection = new NpgsqlConnection(IntegrationTestRun.ConnectionString))
        {
            await connection.OpenAsync();
            await using var progress = new NpgsqlCommand(
                $"""
                UPDATE integration.import_jobs SET status = 'Running', rows_processed = 2, created = 2,
                       started_at = '2026-11-23T07:00:00Z', heartbeat_at = '2026-11-23T07:00:00Z'
                 WHERE id = '{job.Id}'
                """,
                connection);
            await progress.ExecuteNonQueryAsync();
        }

        var running = await GetAsync(job.Id, queuedETag);
        var runningETag = running.Headers.ETag!.ToString();
        Assert.That(await RunNextJobAsync(_host), Is.True);
        var done = await GetAsync(job.Id, runningETag);

        Assert.Multiple(async () =>
        {
            Assert.That(queued.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(queuedETag, Does.Match("^\"[0-9]+\"$"));
            Assert.That(unchanged.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
            Assert.That(unchanged.Headers.ETag!.ToString(), Is.EqualTo(queuedETag));
            Assert.That(running.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(runningETag, Is.Not.EqualTo(queuedETag));
            Assert.That(done.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(done.Headers.ETag!.ToString(), Is.Not.EqualTo(runningETag));
            Assert.That((await ReadAsync<ImportJobResponse>(done, HttpStatusCode.OK)).Status, Is.EqualTo(ImportJobStatus.Succeeded));
        });
    }
}
