package dev.jrun.runtime.network;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IP literals, checked by pattern before {@link InetAddress} sees them: InetAddress.getByName
 * would otherwise resolve a name through DNS, and a name is not what these options accept.
 */
final class Addresses {
    private Addresses() {}

    static boolean isIpv4Literal(String s) {
        if (!s.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) return false;
        for (String part : s.split("\\.")) {
            if (Integer.parseInt(part) > 255) return false;
        }
        return true;
    }

    static boolean isIpv6Literal(String s) {
        if (!s.matches("[0-9A-Fa-f:.]{2,45}") || !s.contains(":")) return false;
        try {
            return InetAddress.getByName(s) instanceof java.net.Inet6Address;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    static boolean isIpLiteral(String s) {
        return isIpv4Literal(s) || isIpv6Literal(s);
    }

    static boolean isLoopback(String literal) {
        try {
            return isIpLiteral(literal) && InetAddress.getByName(literal).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    static int ipv4ToInt(String s) {
        int value = 0;
        for (String part : s.split("\\.")) value = (value << 8) | Integer.parseInt(part);
        return value;
    }

    static String intToIpv4(int v) {
        return ((v >>> 24) & 255) + "." + ((v >>> 16) & 255) + "." + ((v >>> 8) & 255) + "." + (v & 255);
    }
}
