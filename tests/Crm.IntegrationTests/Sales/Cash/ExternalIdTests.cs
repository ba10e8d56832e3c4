using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Sales.Features.Contracts;
using Crm.Modules.Sales.Features.Payments;
using Crm.SharedKernel.Paging;
using static Crm.IntegrationTests.Sales.Cash.CashApi;

namespace Crm.IntegrationTests.Sales.Cash;

/// <summary>ERP ids on contracts and receipts: set on create, changed by PATCH, unique when present, filterable.</summary>
internal sealed class ExternalIdTests : IntegrationTest
{
    private CashOrg _org = null!;
    private HttpClient _rep = null!;
    private Guid _customerId;

    [SetUp]
    public async Task CreateCustomerAsync()
    {
        _org = await CreateOrgAsync(Factory);
        _rep = Factory.ClientFor(_org.EastRep);
        _customerId = await CustomerOfAsync(Factory, _org.EastRep, "宁波外贸有限公司");
    }

    [TearDown]
    public void DisposeRep() => _rep.Dispose();

    private Task<HttpResponseMessage> CreateAsync(string? externalId) =>
        _rep.PostAsync("/api/v1/sales/contracts", JsonBody(new
        {
            customerId = _customerId, title = "ERP 合同", amount = 1_000m, startDate = new DateOnly(2026, 12, 1), endDate = new DateOnly(2027, 11, 30), externalId,
        }));

    [Test]
    public async Task A_contract_keeps_its_external_id_a_second_contract_with_it_is_409_and_the_list_filters_on_it()
    {
        var created = await ReadAsync<ContractResponse>(await CreateAsync(" ERP-HT-1 "), HttpStatusCode.Created);
        await ReadAsync<ContractResponse>(await CreateAsync(null), HttpStatusCode.Created);
        await ReadAsync<ContractResponse>(await CreateAsync(null), HttpStatusCode.Created);

        var duplicate = await ReadProblemAsync(await CreateAsync("ERP-HT-1"), HttpStatusCode.Conflict);
        var page = await ReadAsync<Page<ContractResponse>>(await _rep.GetAsync("/api/v1/sales/contracts?externalId=ERP-HT-1"), HttpStatusCode.OK);

        Assert.Multiple(() =>
        {
            Assert.That(created.ExternalId, Is.EqualTo("ERP-HT-1"), "trimmed");
            Assert.That(duplicate.GetProperty("type").GetString(), Does.EndWith("/duplicate-external-id"));
            Assert.That(page.Items.Select(c => c.Id), Is.EqualTo(new[] { created.Id }));
        });
    }

    [Test]
    public async Task Patch_sets_changes_and_clears_the_external_id_in_any_status_and_refuses_one_in_use()
    {
        var signed = await SignedContractAsync(_rep, _customerId, 5_000m);
        var other = await ReadAsync<ContractResponse>(await CreateAsync("ERP-HT-2"), HttpStatusCode.Created);

        var set = await ReadAsync<ContractResponse>(await PatchAsync(signed.Id, new { externalId = "ERP-HT-3" }), HttpStatusCode.OK);
        var taken = await ReadProblemAsync(await PatchAsync(signed.Id, new { externalId = "ERP-HT-2" }), HttpStatusCode.Conflict);
        var cleared = await ReadAsync<ContractResponse>(await PatchAsync(other.Id, new { externalId = (string?)null }), HttpStatusCode.OK);

        Assert.Multiple(() =>
        {
            Assert.That(set.ExternalId, Is.EqualTo("ERP-HT-3"), "an identifier, not a term: it changes after signing");
            Assert.That(taken.GetProperty("type").GetString(), Does.EndWith("/duplicate-external-id"));
            Assert.That(cleared.ExternalId, Is.Null);
        });
    }

    [Test]
    public async Task An_external_id_over_100_characters_or_blank_is_400()
    {
        var tooLong = await ReadProblemAsync(await CreateAsync(new string('x', 101)), HttpStatusCode.BadRequest);
        var blank = await ReadProblemAsync(await CreateAsync("  "), HttpStatusCode.BadRequest);
        Assert.Multiple(() =>
        {
            Assert.That(tooLong.GetProperty("errors").TryGetProperty("externalId", out _), Is.True, tooLong.ToString());
            Assert.That(blank.GetProperty("errors").TryGetProperty("externalId", out _), Is.True, blank.ToString());
        });
    }

    [Test]
    public async Task A_receipt_keeps_its_external_id_and_a_second_receipt_with_it_is_409_without_booking_money()
    {
        var contract = await SignedContractAsync(_rep, _customerId, 5_000m);
        var receipt = await ReadAsync<ReceiptResponse>(await PayAsync(contract.Id, "ERP-HK-1"), HttpStatusCode.Created);

        var duplicate = await ReadProblemAsync(await PayAsync(contract.Id, "ERP-HK-1"), HttpStatusCode.Conflict);

        Assert.Multiple(async () =>
        {
            Assert.That(receipt.ExternalId, Is.EqualTo("ERP-HK-1"));
            Assert.That(duplicate.GetProperty("type").GetString(), Does.EndWith("/duplicate-external-id"));
            Assert.That(await CountAsync($"SELECT received_amount FROM sales.contracts WHERE id = '{contract.Id}'"), Is.EqualTo(100));
        });
    }

    private Task<HttpResponseMessage> PayAsync(Guid contractId, string externalId) =>
        _rep.PostAsync("/api/v1/sales/receipts", JsonBody(new { contractId, amount = 100m, receivedDate = new DateOnly(2026, 11, 22), method = "bankTransfer", externalId }));

    private Task<HttpResponseMessage> PatchAsync(Guid id, object patch) =>
        _rep.PatchAsync($"/api/v1/sales/contracts/{id}", JsonBody(patch));
}
