using System.Net;
using System.Text;
using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.Sample;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Features.Users;
using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Paging;

namespace Crm.IntegrationTests.Identity;

internal sealed class AuditEndpointTests : IntegrationTest
{
    [Test]
    public async Task An_admin_reads_who_changed_which_fields_of_a_user_newest_first()
    {
        var admin = await TestUsers.CreateAsync(Factory, Roles.Admin);
        using var client = Factory.ClientFor(admin);
        var user = await ReadAsync<UserResponse>(
            await client.PostAsync("/api/v1/users", JsonBody(new { email = "wang@example.cn", name = "王五", password = "Passw0rd-1", roles = new[] { "salesRep" } })),
            HttpStatusCode.Created);
        Factory.Time.Advance(TimeSpan.FromSeconds(1));
        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/users/{user.Id}") { Content = new StringContent("""{"name":"王小五"}""", Encoding.UTF8, "application/merge-patch+json") };
        Assert.That((await client.SendAsync(patch)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var trail = await ReadAsync<Page<AuditEntryItem>>(await client.GetAsync($"/api/v1/audit?entityType=user&entityId={user.Id}"), HttpStatusCode.OK);

        Assert.That(trail.Items.Select(e => e.Action), Is.EqualTo(new[] { AuditAction.Updated, AuditAction.Created }));
        var updated = trail.Items[0];
        var created = trail.Items[1];
        Assert.Multiple(() =>
        {
            Assert.That(updated.Changes.Keys, Is.EquivalentTo(new[] { "name", "updatedAt" }));
            Assert.That(updated.Changes["name"].Old?.GetString(), Is.EqualTo("王五"));
            Assert.That(updated.Changes["name"].New?.GetString(), Is.EqualTo("王小五"));
            Assert.That(updated.Actor.Id, Is.EqualTo(admin.Id));
            Assert.That(updated.Actor.Kind, Is.EqualTo("user"));
            Assert.That(created.Changes["email"].New?.GetString(), Is.EqualTo("wang@example.cn"));
            Assert.That(created.Changes["passwordHash"].New?.GetString(), Is.EqualTo("***"));
        });
    }

    [Test]
    public async Task Owners_read_the_trail_of_their_own_records_and_nothing_else()
    {
        var rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep);
        var otherRep = await TestUsers.CreateAsync(Factory, Roles.SalesRep);
        using var repClient = Factory.ClientFor(rep);
        using var otherClient = Factory.ClientFor(otherRep);
        var deal = await ReadAsync<SampleDealItem>(await repClient.PostAsync("/api/v1/sample-deals", JsonBody(new { title = "大单" })), HttpStatusCode.Created);
        var url = $"/api/v1/audit?entityType=sampleDeal&entityId={deal.Id}";

        var own = await ReadAsync<Page<AuditEntryItem>>(await repClient.GetAsync(url), HttpStatusCode.OK);
        var others = await ReadAsync<Page<AuditEntryItem>>(await otherClient.GetAsync(url), HttpStatusCode.OK);
        var usersTrail = await ReadAsync<Page<AuditEntryItem>>(await repClient.GetAsync("/api/v1/audit?entityType=user"), HttpStatusCode.OK);

        Assert.Multiple(() =>
        {
            Assert.That(own.Items, Has.Count.EqualTo(1));
            Assert.That(own.Items[0].OwnerId, Is.EqualTo(rep.Id));
            Assert.That(others.Items, Is.Empty);
            Assert.That(usersTrail.Items, Is.Empty);
        });
    }

    [Test]
    public async Task The_trail_needs_credentials_and_validates_its_filters()
    {
        await ReadProblemAsync(await Client.GetAsync("/api/v1/audit"), HttpStatusCode.Unauthorized);
        using var admin = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin));
        var problem = await ReadProblemAsync(await admin.GetAsync($"/api/v1/audit?entityId={Guid.NewGuid()}"), HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").TryGetProperty("entityType", out _), Is.True);
    }
}
