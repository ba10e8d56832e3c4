using System.Linq.Expressions;
using Crm.Modules.Identity.Domain;
using Crm.SharedKernel.Paging;

namespace Crm.Modules.Identity.Features.Users;

/// <summary>A user as the API shows it (never the password hash or security data).</summary>
/// <param name="Id">User id.</param>
/// <param name="Email">Sign-in email, unique.</param>
/// <param name="Name">Display name.</param>
/// <param name="Phone">Phone number, if any.</param>
/// <param name="Active">False once deactivated: the user cannot sign in, their records stay theirs.</param>
/// <param name="TeamId">The team the user belongs to.</param>
/// <param name="ManagerId">The user's line manager.</param>
/// <param name="Roles">Roles held: admin, salesManager, salesRep, marketing, serviceManager, serviceAgent, analyst, integration.</param>
/// <param name="CreatedAt">When the user was created.</param>
/// <param name="UpdatedAt">When the user was last changed.</param>
/// <param name="DeactivatedAt">When the user was deactivated, if they are.</param>
internal sealed record UserResponse(
    Guid Id,
    string Email,
    string Name,
    string? Phone,
    bool Active,
    Guid? TeamId,
    Guid? ManagerId,
    IReadOnlyList<string> Roles,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? DeactivatedAt);

internal static class UserProjection
{
    public static readonly Expression<Func<User, UserResponse>> ToResponse = u =>
        new UserResponse(u.Id, u.Email, u.Name, u.Phone, u.Active, u.TeamId, u.ManagerId, u.Roles, u.CreatedAt, u.UpdatedAt, u.DeactivatedAt);

    private static readonly Func<User, UserResponse> Compiled = ToResponse.Compile();

    public static readonly SortDefinition<User, UserResponse> Sort = new SortDefinition<User, UserResponse>(u => u.Id, u => u.Id, "name")
        .Add("name", u => u.Name, u => u.Name)
        .Add("email", u => u.NormalizedEmail, u => u.Email.ToLowerInvariant())
        .Add("createdAt", u => u.CreatedAt, u => u.CreatedAt);

    public static UserResponse From(User user) => Compiled(user);
}

/// <summary>A user with the row version that becomes its ETag.</summary>
internal sealed record VersionedUser(UserResponse User, uint Version);
