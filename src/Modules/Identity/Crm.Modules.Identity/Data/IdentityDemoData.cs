using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Time;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Identity.Data;

/// <summary>
/// The demo organisation and a user for each main role (password <c>Demo-2026!</c>), for <c>eng/run.sh</c> only:
/// it runs when <c>Demo:Seed</c> is true, and once (it stops when the demo admin exists).
/// </summary>
internal sealed class IdentityDemoData(IdentityDbContext db, IPasswordHasher<User> hasher, TimeProvider time) : IDemoDataSeeder
{
    public const string Password = "Demo-2026!";

    public async Task SeedAsync(CancellationToken ct)
    {
        if (await db.Users.AnyAsync(u => u.NormalizedEmail == "admin@demo.local", ct))
        {
            return;
        }

        var now = time.UtcNow();
        var company = Team.Create("演示科技有限公司", TeamKind.Company, null, now);
        var sales = Team.Create("销售部", TeamKind.Department, company.Id, now);
        var east = Team.Create("华东销售组", TeamKind.Group, sales.Id, now);
        var south = Team.Create("华南销售组", TeamKind.Group, sales.Id, now);
        var marketing = Team.Create("市场部", TeamKind.Department, company.Id, now);
        var service = Team.Create("客服部", TeamKind.Department, company.Id, now);
        db.Teams.AddRange(company, sales, east, south, marketing, service);

        var manager = User.Create("manager@demo.local", "王经理", "13800000002", [Roles.SalesManager], sales.Id, null, now);
        User[] users =
        [
            User.Create("admin@demo.local", "系统管理员", "13800000001", [Roles.Admin], company.Id, null, now),
            manager,
            User.Create("rep1@demo.local", "李销售", "13800000003", [Roles.SalesRep], east.Id, manager.Id, now),
            User.Create("rep2@demo.local", "张销售", "13800000004", [Roles.SalesRep], south.Id, manager.Id, now),
            User.Create("marketing@demo.local", "陈市场", "13800000005", [Roles.Marketing], marketing.Id, null, now),
            User.Create("agent@demo.local", "赵客服", "13800000006", [Roles.ServiceAgent], service.Id, null, now),
            User.Create("analyst@demo.local", "周分析", "13800000007", [Roles.Analyst], company.Id, null, now),
        ];
        foreach (var user in users)
        {
            user.SetPasswordHash(hasher.HashPassword(user, Password), now);
        }

        db.Users.AddRange(users);
        await db.SaveChangesAsync(ct);
    }
}
