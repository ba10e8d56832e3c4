using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Partners;
using Crm.SharedKernel.Paging;
using static Crm.IntegrationTests.Sales.Leads.LeadApi;

namespace Crm.IntegrationTests.Sales.Leads;

internal sealed class PartnerTests : IntegrationTest
{
    [Test]
    public async Task Managers_create_list_and_replace_partners_and_a_retired_partner_cannot_bring_new_leads()
    {
        var manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager);
        using var client = Factory.ClientFor(manager);
        var created = await client.PostAsync("/api/v1/sales/partners", JsonBody(new { name = "华南代理商", kind = "agent", province = "广东省", phone = "020-8888 6666", email = "Sales@HuaNan.cn", ownerId = manager.Id }));
        var agent = await ReadAsync<PartnerResponse>(created, HttpStatusCode.Created);
        await ReadAsync<PartnerResponse>(await client.PostAsync("/api/v1/sales/partners", JsonBody(new { name = "北方经销商", kind = "distributor" })), HttpStatusCode.Created);
        Assert.That((agent.Kind, agent.Email, agent.Active), Is.EqualTo((PartnerKind.Agent, "sales@huanan.cn", true)));

        var agents = await ReadAsync<Page<PartnerResponse>>(await client.GetAsync("/api/v1/sales/partners?kind=agent"), HttpStatusCode.OK);
        var byName = await ReadAsync<Page<PartnerResponse>>(await client.GetAsync("/api/v1/sales/partners?q=经销&limit=1&includeTotal=true"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(agents.Items.Select(p => p.Name), Is.EqualTo(new[] { "华南代理商" }));
            Assert.That(byName.Items.Select(p => p.Name), Is.EqualTo(new[] { "北方经销商" }));
            Assert.That(byName.Total, Is.EqualTo(1));
        });

        await ReadProblemAsync(await client.SendAsync(Put($"/api/v1/sales/partners/{agent.Id}", new { name = "华南代理商", kind = "agent", active = false }, "\"1\"")), HttpStatusCode.PreconditionFailed);
        var retired = await ReadAsync<PartnerResponse>(
            await client.SendAsync(Put($"/api/v1/sales/partners/{agent.Id}", new { name = "华南代理商", kind = "agent", active = false }, created.Headers.ETag!.ToString())), HttpStatusCode.OK);
        Assert.That(retired.Active, Is.False);
        var lead = await client.PostAsync("/api/v1/sales/leads", JsonBody(new { companyName = "新客户", partnerId = agent.Id }));
        await ReadProblemAsync(lead, (HttpStatusCode)422);
    }

    [Test]
    public async Task Bad_partners_are_400_duplicates_409_unknown_ones_404_and_reps_may_only_read()
    {
        using var manager = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesManager));
        var invalid = await manager.PostAsync("/api/v1/sales/partners", JsonBody(new { name = "", phone = "12", email = "x" }));
        var errors = (await ReadProblemAsync(invalid, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Multiple(() =>
        {
            foreach (var field in new[] { "name", "kind", "phone", "email" })
            {
                Assert.That(errors.TryGetProperty(field, out _), Is.True, field + " in " + errors);
            }
        });

        await ReadAsync<PartnerResponse>(await manager.PostAsync("/api/v1/sales/partners", JsonBody(new { name = "唯一", kind = "partner" })), HttpStatusCode.Created);
        await ReadProblemAsync(await manager.PostAsync("/api/v1/sales/partners", JsonBody(new { name = "唯一", kind = "agent" })), HttpStatusCode.Conflict);
        await ReadProblemAsync(await manager.GetAsync($"/api/v1/sales/partners/{Guid.CreateVersion7()}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await manager.GetAsync("/api/v1/sales/partners?kind=supplier"), HttpStatusCode.BadRequest);

        using var rep = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesRep));
        await ReadAsync<Page<PartnerResponse>>(await rep.GetAsync("/api/v1/sales/partners"), HttpStatusCode.OK);
        await ReadProblemAsync(await rep.PostAsync("/api/v1/sales/partners", JsonBody(new { name = "x", kind = "agent" })), HttpStatusCode.Forbidden);
    }
}
