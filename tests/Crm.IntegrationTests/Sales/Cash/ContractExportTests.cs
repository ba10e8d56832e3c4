using System.Net;
using System.Text.Json;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Sales.Features.Contracts;
using static Crm.IntegrationTests.Integration.ImportApi;
using static Crm.IntegrationTests.Sales.Cash.CashApi;

namespace Crm.IntegrationTests.Sales.Cash;

/// <summary><c>GET /api/v1/sales/contracts/export</c>: streamed, only the contracts the caller may see, every list filter.</summary>
internal sealed class ContractExportTests : IntegrationTest
{
    private CashOrg _org = null!;
    private HttpClient _east = null!;
    private HttpClient _admin = null!;
    private ContractResponse _signed = null!;
    private ContractResponse _draft = null!;
    private ContractResponse _south = null!;

    [SetUp]
    public async Task CreateContractsAsync()
    {
        _org = await CreateOrgAsync(Factory);
        _east = Factory.ClientFor(_org.EastRep);
        _admin = Factory.ClientFor(_org.Admin);
        var eastCustomer = await CustomerOfAsync(Factory, _org.EastRep, "无锡纺织有限公司");
        _signed = await SignedContractAsync(_east, eastCustomer, 10_000m, "纺织机械");
        (_draft, _) = await CreateContractAsync(_east, eastCustomer, 2_500.5m, "备件合同, 第二期", new DateOnly(2027, 3, 31));
        using var southRep = Factory.ClientFor(_org.SouthRep);
        _south = await SignedContractAsync(southRep, await CustomerOfAsync(Factory, _org.SouthRep, "汕头玩具厂"), 5_000m);
    }

    [TearDown]
    public void DisposeClients()
    {
        _east.Dispose();
        _admin.Dispose();
    }

    [Test]
    public async Task A_rep_exports_only_their_own_contracts_with_the_customers_code_and_the_owners_email()
    {
        var csv = await ExportAsync(_east, "/api/v1/sales/contracts/export");
        var lines = csv.TrimStart('\uFEFF').TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var customer = await ReadAsync<Crm.Modules.Customers.Features.Customers.CustomerResponse>(
            await _east.GetAsync($"/api/v1/customers/{_signed.CustomerId}"), HttpStatusCode.OK);

        Assert.Multiple(() =>
        {
            Assert.That(lines[0], Is.EqualTo(string.Join(',', ContractExport.Columns)));
            Assert.That(lines, Has.Count.EqualTo(3), csv);
            Assert.That(csv, Does.Contain(_signed.Number).And.Contain(_draft.Number).And.Not.Contain(_south.Number));
            Assert.That(csv, Does.Contain("\"备件合同, 第二期\"").And.Contain(customer.Code).And.Contain(_org.EastRep.Email));
            Assert.That(lines.Single(l => l.StartsWith(_draft.Number, StringComparison.Ordinal)), Does.Contain(",2500.50,CNY,").And.Contain(",2026-12-01,2027-03-31,,draft,"));
        });
    }

    [Test]
    public async Task Every_list_filter_narrows_the_export_and_gb18030_and_ndjson_are_offered()
    {
        var gb18030 = await ExportAsync(_admin, "/api/v1/sales/contracts/export?charset=gb18030", Gb18030);
        var drafts = await ExportAsync(_admin, "/api/v1/sales/contracts/export?format=ndjson&status=draft");
        var endingSoon = await ExportAsync(_admin, "/api/v1/sales/contracts/export?format=ndjson&endingBefore=2027-04-01");
        var south = await ExportAsync(_admin, $"/api/v1/sales/contracts/export?format=ndjson&ownerId={_org.SouthRep.Id}&customerId={_south.CustomerId}");

        static IEnumerable<string?> Numbers(string ndjson) =>
            ndjson.TrimEnd().Split('\n').Select(l => JsonDocument.Parse(l).RootElement.GetProperty("number").GetString());

        Assert.Multiple(() =>
        {
            Assert.That(gb18030, Does.Contain("备件合同").And.Contain(_signed.Number).And.Contain(_south.Number), "every contract, Chinese text intact");
            Assert.That(Numbers(drafts), Is.EqualTo(new[] { _draft.Number }));
            Assert.That(Numbers(endingSoon), Is.EqualTo(new[] { _draft.Number }));
            Assert.That(Numbers(south), Is.EqualTo(new[] { _south.Number }));
            Assert.That(JsonDocument.Parse(drafts.TrimEnd()).RootElement.GetProperty("outstandingAmount").GetDecimal(), Is.EqualTo(2_500.5m));
        });
    }

    [TestCase("format=xml")]
    [TestCase("charset=latin1")]
    [TestCase("status=lost")]
    [TestCase("endingBefore=tomorrow")]
    public async Task Bad_parameters_are_400(string query) =>
        await ReadProblemAsync(await _east.GetAsync($"/api/v1/sales/contracts/export?{query}"), HttpStatusCode.BadRequest);
}
