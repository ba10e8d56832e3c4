using System.Net;
using System.Text;
using System.Text.Json;
using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Features.Opportunities;

namespace Crm.IntegrationTests.Sales.Opportunities;

internal sealed class OpportunityExternalIdTests : IntegrationTest
{
    private HttpClient _client = null!;
    private Guid _customerId;

    [SetUp]
    public async Task CreateRepAsync()
    {
        var rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep);
        _client = Factory.ClientFor(rep);
        _customerId = (await CustomerApi.CreateAsync(_client, "外部编号客户")).Customer.Id;
    }

    [TearDown]
    public void DisposeRepClient() => _client.Dispose();

    private Task<HttpResponseMessage> CreateAsync(string? externalId) =>
        _client.PostAsync("/api/v1/sales/opportunities", JsonBody(new { name = "ERP 商机", customerId = _customerId, externalId }));

    private Task<HttpResponseMessage> PatchAsync(Guid id, string json) =>
        _client.SendAsync(new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/sales/opportunities/{id}")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/merge-patch+json"),
        });

    [Test]
    public async Task An_external_id_is_stored_trimmed_returned_filterable_and_unique()
    {
        var created = await ReadAsync<OpportunityResponse>(await CreateAsync("  ERP-0001 "), HttpStatusCode.Created);
        var other = await ReadAsync<OpportunityResponse>(await CreateAsync(null), HttpStatusCode.Created);
        await ReadAsync<OpportunityResponse>(await CreateAsync(null), HttpStatusCode.Created);

        var page = JsonDocument.Parse(await _client.GetStringAsync("/api/v1/sales/opportunities?externalId=ERP-0001")).RootElement.GetProperty("items");
        var duplicate = await ReadProblemAsync(await CreateAsync("ERP-0001"), HttpStatusCode.Conflict);
        var patchedToDuplicate = await ReadProblemAsync(await PatchAsync(other.Id, "{\"externalId\":\"ERP-0001\"}"), HttpStatusCode.Conflict);

        Assert.Multiple(() =>
        {
            Assert.That(created.ExternalId, Is.EqualTo("ERP-0001"));
            Assert.That(other.ExternalId, Is.Null, "several opportunities may have none");
            Assert.That(page.EnumerateArray().Select(o => o.GetProperty("id").GetGuid()), Is.EqualTo(new[] { created.Id }));
            Assert.That(duplicate.GetProperty("type").GetString(), Does.EndWith("/duplicate-external-id"));
            Assert.That(patchedToDuplicate.GetProperty("type").GetString(), Does.EndWith("/duplicate-external-id"));
        });
    }

    [Test]
    public async Task A_patch_sets_keeps_and_clears_the_external_id_and_long_ones_are_refused()
    {
        var created = await ReadAsync<OpportunityResponse>(await CreateAsync(null), HttpStatusCode.Created);

        var set = await ReadAsync<OpportunityResponse>(await PatchAsync(created.Id, "{\"externalId\":\"K3-778\"}"), HttpStatusCode.OK);
        var kept = await ReadAsync<OpportunityResponse>(await PatchAsync(created.Id, "{\"externalId\":\"K3-778\",\"amount\":5}"), HttpStatusCode.OK);
        var cleared = await ReadAsync<OpportunityResponse>(await PatchAsync(created.Id, "{\"externalId\":null}"), HttpStatusCode.OK);
        var tooLongPatch = await ReadProblemAsync(await PatchAsync(created.Id, $"{{\"externalId\":\"{new string('x', 101)}\"}}"), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await CreateAsync(new string('x', 101)), HttpStatusCode.BadRequest);

        Assert.Multiple(() =>
        {
            Assert.That((set.ExternalId, kept.ExternalId, cleared.ExternalId), Is.EqualTo(("K3-778", "K3-778", (string?)null)));
            Assert.That(tooLongPatch.GetProperty("errors").TryGetProperty("externalId", out _), Is.True, tooLongPatch.ToString());
        });
    }
}
