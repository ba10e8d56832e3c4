using System.Net.Http.Headers;
using Crm.Modules.Identity.Auth;
using Crm.Modules.Identity.Data;
using Crm.Modules.Identity.Domain;
using Crm.SharedKernel.Time;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.IntegrationTests.Infrastructure;

internal sealed record TestUser(Guid Id, string Email, string Password, string AccessToken);

/// <summary>Users and teams made straight in the Identity tables, with tokens minted by the real token service.</summary>
internal static class TestUsers
{
    public const string Password = "Passw0rd-test";

    public static async Task<TestUser> CreateAsync(CrmApiFactory factory, string role, Guid? teamId = null, string? email = null, bool withPassword = false)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        var now = factory.Time.UtcNow();
        var user = User.Create(email ?? $"{role}.{Guid.NewGuid():N}@test.local", $"Test {role}", null, [role], teamId, null, now);
        if (withPassword)
        {
            user.SetPasswordHash(scope.ServiceProvider.GetRequiredService<IPasswordHasher<User>>().HashPassword(user, Password), now);
        }

        db.Users.Add(user);
        await db.SaveChangesAsync();
        // Made behind the API's back, so tell the process what CreateUser would have (a manager's cached subtree).
        scope.ServiceProvider.GetRequiredService<TeamSubtreeCache>().OrganisationChanged();
        var token = scope.ServiceProvider.GetRequiredService<TokenService>().CreateAccessToken(user, now);
        return new TestUser(user.Id, user.Email, Password, token);
    }

    public static async Task<Guid> CreateTeamAsync(CrmApiFactory factory, string name, TeamKind kind, Guid? parentId = null)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        var team = Team.Create(name, kind, parentId, factory.Time.UtcNow());
        db.Teams.Add(team);
        await db.SaveChangesAsync();
        scope.ServiceProvider.GetRequiredService<TeamSubtreeCache>().OrganisationChanged();
        return team.Id;
    }

    public static HttpClient ClientFor(this CrmApiFactory factory, TestUser user) => factory.ClientWithToken(user.AccessToken);

    public static HttpClient ClientWithToken(this CrmApiFactory factory, string accessToken)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }
}
