using System.Net;
using System.Text.Json;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Sales.Features.Payments;
using static Crm.IntegrationTests.Integration.ImportApi;
using static Crm.IntegrationTests.Sales.Cash.CashApi;

namespace Crm.IntegrationTests.Sales.Cash;

/// <summary><c>GET /api/v1/sales/receipts/export</c>: streamed, filtered, only visible receipts, and it re-imports unchanged.</summary>
internal sealed class ReceiptExportTests : IntegrationTest
{
    private CashOrg _org = null!;
    private HttpClient _east = null!;
    private HttpClient _admin = null!;

    [SetUp]
    public async Task CreateReceiptsAsync()
    {
        _org = await CreateOrgAsync(Factory);
        _east = Factory.ClientFor(_org.EastRep);
        _admin = Factory.ClientFor(_org.Admin);
        var east = await SignedContractAsync(_east, await CustomerOfAsync(Factory, _org.EastRep, "无锡纺织有限公司"), 10_000m);
        await ReadAsync<InstalmentResponse>(
            await _east.PostAsync($"/api/v1/sales/contracts/{east.Id}/instalments", JsonBody(new { dueDate = new DateOnly(2026, 12, 1), amount = 4_000m })), HttpStatusCode.Created);
        var imported = await ImportAsync(_east, "receipts", Csv(
            $"externalId,contractNumber,instalmentSequence,amount,receivedDate,method,reference\nE-1,{east.Number},1,1000,2026-11-20,bankTransfer,\"B,1\"\nE-2,{east.Number},,2500.5,2026-11-21,cash,\n"));
        Assert.That(imported.Created, Is.EqualTo(2), string.Join("; ", imported.Errors.Select(e => e.Message)));
        var receipt = await _east.GetAsync("/api/v1/sales/receipts/export?format=ndjson");
        var first = JsonDocument.Parse((await receipt.Content.ReadAsStringAsync()).Split('\n')[0]).RootElement.GetProperty("id").GetGuid();
        await ReadAsync<ReceiptResponse>(await _east.PostAsync($"/api/v1/sales/receipts/{first}/reverse", JsonBody(new { reason = "银行退回" })), HttpStatusCode.OK);

        using var southRep = Factory.ClientFor(_org.SouthRep);
        var south = await SignedContractAsync(southRep, await CustomerOfAsync(Factory, _org.SouthRep, "汕头玩具厂"), 5_000m);
        await ReadAsync<ReceiptResponse>(await southRep.PostAsync("/api/v1/sales/receipts", JsonBody(new
        {
            contractId = south.Id, amount = 300m, receivedDate = new DateOnly(2026, 11, 22), method = "online",
        })), HttpStatusCode.Created);
    }

    [TearDown]
    public void DisposeClients()
    {
        _east.Dispose();
        _admin.Dispose();
    }

    [Test]
    public async Task A_rep_exports_only_the_receipts_they_may_see_and_the_file_re_imports_all_unchanged()
    {
        var csv = await ExportAsync(_east, "/api/v1/sales/receipts/export");
        var lines = csv.TrimStart('\uFEFF').TrimEnd().Split('\n');

        var report = await ImportAsync(_east, "receipts", Csv(csv));

        Assert.Multiple(async () =>
        {
            Assert.That(lines[0].TrimEnd('\r'), Does.StartWith("externalId,contractNumber,contractExternalId,instalmentSequence,amount,receivedDate,method,reference,id,"));
            Assert.That(lines, Has.Length.EqualTo(3), csv);
            Assert.That(csv, Does.Contain("\"B,1\"").And.Contain("reversed").And.Not.Contain("online"));
            Assert.That((report.Created, report.Unchanged, report.Rejected), Is.EqualTo((0L, 2L, 0L)), string.Join("; ", report.Errors.Select(e => e.Message)));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.payment_receipts"), Is.EqualTo(3));
        });
    }

    [Test]
    public async Task Gb18030_csv_of_every_receipt_re_imports_unchanged_on_id_and_ndjson_takes_the_filters()
    {
        var csv = await ExportAsync(_admin, "/api/v1/sales/receipts/export?charset=gb18030", Gb18030);
        var reversed = await ExportAsync(_admin, "/api/v1/sales/receipts/export?format=ndjson&status=reversed");
        var late = await ExportAsync(_admin, "/api/v1/sales/receipts/export?format=ndjson&receivedFrom=2026-11-21&receivedTo=2026-11-21");

        var report = await ImportAsync(_admin, "receipts", Csv(csv, Gb18030), "matchOn=id");

        Assert.Multiple(() =>
        {
            Assert.That((report.Unchanged, report.Rejected), Is.EqualTo((3L, 0L)), string.Join("; ", report.Errors.Select(e => e.Message)));
            Assert.That(reversed.TrimEnd().Split('\n').Select(l => JsonDocument.Parse(l).RootElement.GetProperty("status").GetString()), Is.EqualTo(new[] { "reversed" }));
            Assert.That(late.TrimEnd().Split('\n').Select(l => JsonDocument.Parse(l).RootElement.GetProperty("externalId").GetString()), Is.EqualTo(new[] { "E-2" }));
        });
    }

    [TestCase("format=xml")]
    [TestCase("charset=latin1")]
    [TestCase("status=lost")]
    public async Task Bad_parameters_are_400(string query) =>
        await ReadProblemAsync(await _east.GetAsync($"/api/v1/sales/receipts/export?{query}"), HttpStatusCode.BadRequest);
}
