using System.Net;
using System.Net.Http.Headers;
using Crm.IntegrationTests;
using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.Sample;

namespace Crm.IntegrationTests.Platform;

internal sealed class ConcurrencyTests : IntegrationTest
{
    private async Task<(NoteItem Note, string ETag)> CreateAsync()
    {
        var response = await Client.PostAsync("/api/v1/notes", JsonBody(new { title = "客户回访", priority = "normal" }));
        var note = await ReadAsync<NoteItem>(response, HttpStatusCode.Created);
        return (note, response.Headers.ETag!.ToString());
    }

    private Task<HttpResponseMessage> PutAsync(Guid id, string title, string? ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/notes/{id}") { Content = JsonBody(new { title, priority = "high" }) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return Client.SendAsync(request);
    }

    [Test]
    public async Task A_single_resource_get_returns_its_row_version_as_a_strong_etag()
    {
        var (created, createdETag) = await CreateAsync();

        var response = await Client.GetAsync($"/api/v1/notes/{created.Id}");

        var note = await ReadAsync<NoteItem>(response, HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.ETag, Is.EqualTo(new EntityTagHeaderValue($"\"{note.Version}\"")));
            Assert.That(response.Headers.ETag!.IsWeak, Is.False);
            Assert.That(response.Headers.ETag.ToString(), Is.EqualTo(createdETag));
        });
    }

    [Test]
    public async Task What_a_create_returns_equals_what_a_later_read_returns()
    {
        Factory.Time.Advance(TimeSpan.FromTicks(1234567));
        var (created, _) = await CreateAsync();

        var read = await ReadAsync<NoteItem>(await Client.GetAsync($"/api/v1/notes/{created.Id}"), HttpStatusCode.OK);

        Assert.That(read, Is.EqualTo(created));
    }

    [Test]
    public async Task An_update_with_the_current_etag_succeeds_and_changes_the_etag()
    {
        var (note, etag) = await CreateAsync();

        var response = await PutAsync(note.Id, "updated", etag);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.ETag!.ToString(), Is.Not.EqualTo(etag));
    }

    [Test]
    public async Task An_update_with_a_stale_etag_is_412_and_changes_nothing()
    {
        var (note, etag) = await CreateAsync();
        Assert.That((await PutAsync(note.Id, "first writer", etag)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var problem = await ReadProblemAsync(await PutAsync(note.Id, "second writer", etag), HttpStatusCode.PreconditionFailed);

        var current = await ReadAsync<NoteItem>(await Client.GetAsync($"/api/v1/notes/{note.Id}"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/precondition-failed"));
            Assert.That(current.Title, Is.EqualTo("first writer"));
        });
    }

    [TestCase("*")]
    [TestCase(null)]
    public async Task An_update_with_a_wildcard_or_no_precondition_is_unconditional(string? ifMatch)
    {
        var (note, _) = await CreateAsync();
        Assert.That((await PutAsync(note.Id, "changed", ifMatch)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_weak_etag_never_satisfies_if_match()
    {
        var (note, etag) = await CreateAsync();
        await ReadProblemAsync(await PutAsync(note.Id, "weak", "W/" + etag), HttpStatusCode.PreconditionFailed);
    }

    [Test]
    public async Task Concurrent_writers_with_the_same_etag_do_not_overwrite_each_other()
    {
        var (note, etag) = await CreateAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => PutAsync(note.Id, $"writer {i}", etag)));

        var codes = responses.Select(r => r.StatusCode).ToList();
        Assert.That(codes.Count(c => c == HttpStatusCode.OK), Is.EqualTo(1), string.Join(", ", codes));
        Assert.That(codes.Count(c => c == HttpStatusCode.PreconditionFailed), Is.EqualTo(5), string.Join(", ", codes));
    }

    [Test]
    public async Task A_missing_record_is_a_404_problem()
    {
        var problem = await ReadProblemAsync(await Client.GetAsync($"/api/v1/notes/{Guid.CreateVersion7()}"), HttpStatusCode.NotFound);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("Note"));
    }
}
