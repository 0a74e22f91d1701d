import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

// A Jakarta EE servlet (Tomcat 10): answers /hello; index.html is served by Tomcat's default servlet.
@WebServlet("/hello")
public class Hello extends HttpServlet {
  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    resp.setContentType("text/plain");
    resp.getWriter().println("Hello from a servlet on Tomcat " + getServletContext().getServerInfo()
        + ", heap max " + (Runtime.getRuntime().maxMemory() >> 20) + "m, port " + req.getLocalPort());
  }
}
