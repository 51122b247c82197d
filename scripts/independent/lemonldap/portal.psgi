# The portal as a PSGI app, with the static files a web server would serve in front of it (the packaged
# nginx and Apache configurations alias /static/ to the portal's htdocs and /javascript/ to Debian's shared
# jQuery, Bootstrap and Font Awesome). Without them a real browser's page load sends every script and style
# request through the portal, which answers each with HTML, slowly.
use strict;
use Plack::Builder;
use Lemonldap::NG::Portal::Main;

my $portal = Lemonldap::NG::Portal::Main->run( {} );

builder {
    enable 'Static',
      path => qr{^/static/},
      root => '/usr/share/lemonldap-ng/portal/htdocs';
    enable 'Static',
      path => qr{^/javascript/},
      root => '/usr/share';
    $portal;
};
