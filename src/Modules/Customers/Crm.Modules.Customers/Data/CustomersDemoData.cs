using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.CustomFields;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Outbox;
using Crm.SharedKernel.Time;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Customers.Data;

/// <summary>
/// A handful of demo customers owned by the demo reps and their manager, so that <c>eng/run.sh</c> starts with records
/// to list, search, follow up and import against. Runs after the Identity demo data, only when <c>Demo:Seed</c> is
/// true, and once (it stops when the first demo customer exists, or when there are no demo users to own them).
/// Each customer goes through the same region resolution, search columns and <c>CustomerCreated</c> event as
/// <c>POST /api/v1/customers</c>.
/// </summary>
internal sealed class CustomersDemoData(CustomersDbContext db, IUserDirectory users, RecordInputs inputs, TimeProvider time) : IDemoDataSeeder
{
    private static readonly DemoCustomer[] Customers =
    [
        new("DEMO-0001", "深圳华信科技有限公司", "华信科技", "rep2@demo.local", "广东省", "深圳市", "南山区", "科技园南区 8 栋", "0755-26881234", "sales@huaxin-demo.cn", "软件", "A", LifecycleStage.Growth, true),
        new("DEMO-0002", "广州天河贸易有限公司", "天河贸易", "rep2@demo.local", "广东省", "广州市", "天河区", "天河路 385 号", "020-38801234", "info@tianhe-demo.cn", "批发零售", "B", LifecycleStage.Development, false),
        new("DEMO-0003", "杭州西湖智能制造有限公司", "西湖智造", "rep1@demo.local", "浙江省", "杭州市", "西湖区", "文三路 90 号", "0571-88001234", "contact@xihu-demo.cn", "制造", "A", LifecycleStage.Maturity, true),
        new("DEMO-0004", "宁波港城物流有限公司", "港城物流", "rep1@demo.local", "浙江省", "宁波市", "鄞州区", "天童北路 1 号", "0574-87001234", "ops@gangcheng-demo.cn", "物流", "B", LifecycleStage.Growth, false),
        new("DEMO-0005", "苏州工业园精密机械有限公司", "园区精机", "rep1@demo.local", "江苏省", "苏州市", "姑苏区", "人民路 100 号", "0512-62001234", "sales@jingji-demo.cn", "制造", "C", LifecycleStage.Potential, false),
        new("DEMO-0006", "南京紫金医疗器械有限公司", "紫金医疗", "manager@demo.local", "江苏省", "南京市", "玄武区", "中山路 18 号", "025-84001234", "service@zijin-demo.cn", "医疗", "B", LifecycleStage.Development, false),
    ];

    public async Task SeedAsync(CancellationToken ct)
    {
        if (await db.Customers.AnyAsync(c => c.ExternalId == Customers[0].ExternalId, ct))
        {
            return;
        }

        var owners = await users.FindByEmailsAsync(Customers.Select(c => c.OwnerEmail).Distinct().ToList(), ct);
        if (owners.Count == 0)
        {
            return;
        }

        var now = time.UtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        foreach (var demo in Customers.Where(c => owners.ContainsKey(c.OwnerEmail)))
        {
            var owner = owners[demo.OwnerEmail];
            var details = await inputs.ForNewCustomerAsync(
                new CustomerDetails(
                    demo.Name, demo.ShortName, demo.ExternalId, null, demo.Industry, "demo", demo.Province, demo.City, demo.District, demo.Address,
                    [demo.Phone], [demo.Email], null, ["演示"], demo.Tier, RelationshipType.Responsible, demo.Stage, demo.KeyAccount, false, 500_000m, null, 0m),
                null,
                ct);
            var customer = Customer.Create(CustomerKind.Organization, details, owner.Id, owner.TeamId, now);
            db.Customers.Add(customer);
            await CustomerWrites.SaveAsync(db, customer, ct);
            db.AddIntegrationEvent(CustomerWrites.CreatedEvent(customer, now));
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    private sealed record DemoCustomer(
        string ExternalId, string Name, string ShortName, string OwnerEmail, string Province, string City, string District, string Address,
        string Phone, string Email, string Industry, string Tier, LifecycleStage Stage, bool KeyAccount);
}
