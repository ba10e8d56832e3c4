using System.Net;
using Crm.IntegrationTests.Infrastructure;

namespace Crm.IntegrationTests.Platform;

/// <summary>
/// The guard of the test hosts reports an endpoint whose header metadata (from which the OpenAPI document declares
/// If-Match and ETag) differs from what it does; the Notes module maps such endpoints on purpose.
/// </summary>
internal sealed class HeaderContractGuardTests : IntegrationTest
{
    [Test]
    public async Task An_endpoint_that_reads_If_Match_without_declaring_it_is_reported()
    {
        using var response = await Client.PostAsync("/api/v1/notes/undeclared-if-match", null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        AssertReported("POST /api/v1/notes/undeclared-if-match -> 200) reads If-Match but does not declare");
    }

    [Test]
    public async Task An_endpoint_that_reads_If_Match_without_declaring_it_is_reported_when_it_fails_too()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/notes/undeclared-if-match");
        request.Headers.TryAddWithoutValidation("If-Match", "not-a-tag");
        using var response = await Client.SendAsync(request);

        await ReadProblemAsync(response, HttpStatusCode.BadRequest);
        AssertReported("POST /api/v1/notes/undeclared-if-match -> 400) reads If-Match but does not declare");
    }

    [Test]
    public async Task An_endpoint_that_reads_If_None_Match_without_declaring_it_is_reported()
    {
        using var response = await Client.GetAsync("/api/v1/notes/undeclared-if-none-match");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        AssertReported("GET /api/v1/notes/undeclared-if-none-match -> 200) reads If-None-Match but does not declare");
    }

    [Test]
    public async Task An_endpoint_that_answers_with_an_ETag_without_declaring_it_is_reported()
    {
        using var response = await Client.GetAsync("/api/v1/notes/undeclared-etag");

        Assert.That(response.Headers.ETag, Is.Not.Null);
        AssertReported("GET /api/v1/notes/undeclared-etag -> 204) answered with an ETag but does not declare .ReturnsETag()");
    }

    [Test]
    public async Task An_endpoint_that_declares_an_ETag_and_answers_200_without_one_is_reported()
    {
        using var response = await Client.GetAsync("/api/v1/notes/unkept-etag");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        AssertReported("GET /api/v1/notes/unkept-etag -> 200) declares .ReturnsETag() but answered 200 without one");
    }

    [Test]
    public async Task Endpoints_that_declare_what_they_do_are_not_reported()
    {
        using var created = await Client.PostAsync("/api/v1/notes", JsonBody(new { title = "Call back", priority = "high" }));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        using var request = new HttpRequestMessage(HttpMethod.Put, created.Headers.Location) { Content = JsonBody(new { title = "Call back today", priority = "high" }) };
        request.Headers.IfMatch.Add(created.Headers.ETag!);
        using var updated = await Client.SendAsync(request);
        Assert.That(updated.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var stale = new HttpRequestMessage(HttpMethod.Put, created.Headers.Location) { Content = JsonBody(new { title = "Too late", priority = "low" }) };
        stale.Headers.IfMatch.Add(created.Headers.ETag!);
        using var refused = await Client.SendAsync(stale);
        await ReadProblemAsync(refused, HttpStatusCode.PreconditionFailed);

        Assert.That(HeaderContractGuard.Drain(), Is.Empty);
    }

    private static void AssertReported(string offence)
    {
        var offences = HeaderContractGuard.Drain();
        Assert.That(offences, Has.Count.EqualTo(1));
        Assert.That(offences[0], Does.Contain(offence));
    }
}
