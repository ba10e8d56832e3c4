using Crm.Modules.Identity.Data;
using Crm.SharedKernel.Errors;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Identity.Features.Users;

internal sealed record GetUserRequest(Guid Id) : IRequest<VersionedUser>;

internal sealed class GetUserHandler(IdentityDbContext db) : IRequestHandler<GetUserRequest, VersionedUser>
{
    public async Task<VersionedUser> Handle(GetUserRequest request, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == request.Id, cancellationToken)
            ?? throw new NotFoundException("User", request.Id);
        return new VersionedUser(UserProjection.From(user), user.Version);
    }
}
