using Crm.Modules.Identity.Data;
using Crm.SharedKernel.Errors;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Identity.Features.Users;

internal sealed record GetUserRequest(Guid Id) : IRequest<VersionedUser>;

internal sealed class GetUserHandler(IdentityDbContext db) : IRequestHandler<GetUserRequest, VersionedUser>
{
    public async Task<VersionedUser> Handle(GetUserRequest request, CancellationToken cancellationToken) =>
        await db.Users.AsNoTracking()
            .Where(u => u.Id == request.Id)
            .Select(u => new VersionedUser(new UserResponse(u.Id, u.Email, u.Name, u.Phone, u.Active, u.TeamId, u.ManagerId, u.Roles, u.CreatedAt, u.UpdatedAt, u.DeactivatedAt), u.Version))
            .SingleOrDefaultAsync(cancellationToken)
        ?? throw new NotFoundException("User", request.Id);
}
