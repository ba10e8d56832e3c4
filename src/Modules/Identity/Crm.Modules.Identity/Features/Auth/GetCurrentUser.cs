using Crm.Modules.Identity.Auth;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Data;
using Crm.Modules.Identity.Features.Users;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Identity.Features.Auth;

/// <summary>The signed-in user and what they may do.</summary>
/// <param name="User">The user's profile.</param>
/// <param name="Permissions">Permissions their roles grant (<c>area:action</c>).</param>
internal sealed record CurrentUserResponse(UserResponse User, IReadOnlyList<string> Permissions);

internal sealed record GetCurrentUserRequest : IRequest<VersionedCurrentUser>;

/// <summary>The current user with the row version that becomes the ETag.</summary>
internal sealed record VersionedCurrentUser(CurrentUserResponse Response, uint Version);

internal sealed class GetCurrentUserHandler(IdentityDbContext db, ICurrentActor actor) : IRequestHandler<GetCurrentUserRequest, VersionedCurrentUser>
{
    private static readonly string[] KnownPermissions =
        [.. Permissions.ApiKeyScopes, Permissions.CustomersMerge, Permissions.UsersWrite, Permissions.TeamsWrite, Permissions.ApiKeysManage, Permissions.PrivacyExport, Permissions.PrivacyManage, Permissions.CustomFieldsManage, Permissions.SalesManage];

    public async Task<VersionedCurrentUser> Handle(GetCurrentUserRequest request, CancellationToken cancellationToken)
    {
        if (actor.Kind != HttpCurrentActor.UserKind || actor.Id is not { } id)
        {
            throw new NotFoundException("User", actor.Key);
        }

        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, cancellationToken)
            ?? throw new NotFoundException("User", id);
        var response = new CurrentUserResponse(UserProjection.From(user), RolePermissions.Effective(user.Roles, KnownPermissions.Distinct()));
        return new VersionedCurrentUser(response, user.Version);
    }
}
